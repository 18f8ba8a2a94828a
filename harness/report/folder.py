"""The folder a run writes its journal and reports to, made ready before anything starts.

A run whose evidence cannot be written must not start a stack or apply a fault, so the folder
is created and proven writable first. Permission bits prove nothing (root ignores them), so
the proof is writing a file there: what fails for root (a path under a regular file, /proc,
a read-only mount) fails here, at once, as bad input.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from harness.errors import InvalidInput, Problem

OPTION = "--report-dir"


def prepare_report_dir(path: Path) -> Path:
    """Create `path` if needed and write a file in it; InvalidInput (exit 2) when that fails."""
    if path.exists() and not path.is_dir():
        raise _refused(path, "it exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _refused(path, f"cannot create it ({exc.strerror or exc})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise _refused(path, f"cannot write a file in it ({exc.strerror or exc})") from None
    return path


def _refused(path: Path, reason: str) -> InvalidInput:
    return InvalidInput(
        [Problem(str(path), None, f"not usable as the report folder ({OPTION}): {reason}")]
    )
