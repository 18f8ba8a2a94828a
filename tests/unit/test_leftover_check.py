"""The suite's own guard: a test that leaves a process behind fails the whole run."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_a_leaked_process_fails_the_session(tmp_path: Path) -> None:
    leaky = tmp_path / "test_leaky.py"
    leaky.write_text(
        textwrap.dedent("""
        import subprocess, sys
        def test_leaks():
            subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    """)
    )
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import *  # noqa\n"
        "from tests.conftest import pytest_sessionfinish, "
        "pytest_runtest_logreport  # noqa\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(leaky)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "LEFTOVER PROCESSES" in result.stdout
