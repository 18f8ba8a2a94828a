"""P6: resident memory of the harness and the whole mock world during a run, and its growth."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil


def tree_rss(pids: list[int]) -> int:
    """Bytes resident in these processes and all their descendants."""
    seen: dict[int, int] = {}
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                try:
                    seen[proc.pid] = proc.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
        except psutil.NoSuchProcess:
            continue
    return sum(seen.values())


def soak(
    scenario: Path, seconds: float, env: dict[str, str], stack_pids: list[int], report_dir: Path
) -> list[tuple[float, int]]:
    """Run `scenario` for `seconds` and sample the total RSS every second: (elapsed, bytes)."""
    argv = [
        sys.executable,
        "-m",
        "harness",
        "run",
        str(scenario),
        "--duration",
        f"{seconds:g}",
        "--report-dir",
        str(report_dir),
    ]
    samples: list[tuple[float, int]] = []
    report_dir.parent.mkdir(parents=True, exist_ok=True)
    with (report_dir.parent / "soak.log").open("wb") as log:
        run = subprocess.Popen(argv, env=env, stdout=log, stderr=log)
        began = time.monotonic()
        done = threading.Event()
        while run.poll() is None and not done.wait(1.0):
            samples.append((time.monotonic() - began, tree_rss([run.pid, *stack_pids])))
        run.wait()
    return samples
