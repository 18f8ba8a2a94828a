"""Profile P1's generator: py-spy samples our SIP callers (the Locust process) and the mock
telephony while the callers run unpaced against the call-path topology, and the hottest
functions (by own time) are written to bench/p1-profile.md, which results.md quotes.

py-spy is a developer's tool, not a dependency: `pip install --target DIR py-spy`, then

    PY_SPY=DIR/bin/py-spy python -m bench.profile_p1
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import psutil

from bench.capacity import Capacity, sip_capacity
from harness.backends.local.backend import LocalBackend

CALL_PATH = Path(__file__).with_name("topologies") / "call-path.yaml"
PROFILE = Path(__file__).with_name("p1-profile.md")
SECONDS = 5  # sampled, inside an 8 s run that has started up


def hottest(raw: str, n: int = 12) -> list[tuple[str, float]]:
    """py-spy's raw (collapsed) output: `frame;frame;...;leaf count` per line; the share of
    samples in which each leaf function was running (its own time)."""
    own: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        own[stack.rsplit(";", 1)[-1]] += int(count)
    total = sum(own.values()) or 1
    return [(frame, c / total) for frame, c in own.most_common(n)]


def _child(word: str) -> psutil.Process | None:
    for proc in psutil.Process().children(recursive=True):
        try:
            if any(word in a for a in proc.cmdline()):
                return proc
        except psutil.NoSuchProcess:
            continue
    return None


def _record(py_spy: str, pid: int, out: Path) -> subprocess.Popen[bytes]:
    argv = [py_spy, "record", "--pid", str(pid), "--duration", str(SECONDS)]
    argv += ["--rate", "100", "--format", "raw", "--output", str(out), "--nonblocking"]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def profile(py_spy: str, work: Path) -> str:
    backend = LocalBackend(CALL_PATH, work / "state")
    stack = backend.up(timeout=30)
    result: list[Capacity] = []
    try:
        entry = stack.entry("callers->telephony")
        run = threading.Thread(
            target=lambda: result.append(sip_capacity(entry, seconds=8, users=50, work_dir=work))
        )
        run.start()
        time.sleep(4.0)  # Locust started and its users connected
        targets = {"our SIP callers (Locust)": _child("locust"), "telephony": _child("telephony")}
        spies = {
            what: (_record(py_spy, p.pid, work / f"{i}.txt"), work / f"{i}.txt")
            for i, (what, p) in enumerate(targets.items())
            if p is not None
        }
        for spy, _ in spies.values():
            spy.wait(SECONDS + 30)
        run.join(60)
    finally:
        backend.down()
    return _write(spies, result[0] if result else None)


def _write(spies: dict[str, tuple[subprocess.Popen[bytes], Path]], run: Capacity | None) -> str:
    lines = [
        f"Recorded {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by "
        "`python -m bench.profile_p1` (py-spy, 100 samples/s, "
        f"{SECONDS} s, own time per function); not re-measured by `make bench`.",
        "",
    ]
    if run is not None:
        lines.append(
            f"The run profiled: {run.calls_per_s:.0f} calls/s, {run.failures} of {run.calls} failed."
        )
    for what, (_, out) in spies.items():
        lines += ["", f"**{what}**", "", "| own time | function |", "|---|---|"]
        raw = out.read_text(encoding="utf-8") if out.exists() else ""
        lines += [f"| {share:.1%} | `{frame}` |" for frame, share in hottest(raw)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    spy = os.environ.get("PY_SPY", "py-spy")
    with tempfile.TemporaryDirectory(prefix="dc-profile-") as tmp:
        PROFILE.write_text(profile(spy, Path(tmp)), encoding="utf-8")
    print(PROFILE.read_text(encoding="utf-8"))
    sys.exit(0)
