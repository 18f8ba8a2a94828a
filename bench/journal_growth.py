"""Report render time and peak memory for synthetic journals of 10k, 100k and 1M requests.

The journal is written directly (a run-start naming scenarios/baseline.yaml, requests of
baseline's traffic mix in its five regions at about 1,000 a second of wall time, a run-end),
then rendered by `harness report DIR` in a child process: it reads the journal, judges the
scenario's assertions and writes summary.json, junit.xml and report.html, as a finished
`harness run` does. Peak memory is the child's maximum RSS (wait4's ru_maxrss).

    python -m bench journal
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from harness import procs
from harness.clock import linear
from harness.journal import Request, RunEnd, RunStart
from harness.paths import scenarios_dir

SIZES = (10_000, 100_000, 1_000_000)
PER_S = 1000.0  # requests per wall second in the synthetic run
SPAN = 3600.0  # scenario seconds, as baseline's clock
REGIONS = ("oost-brabant", "noord-holland", "zeeland-west-brabant", "rotterdam", "midden-nederland")
MIX = {  # baseline.yaml's load, requests per second per class
    "callers-112": 20,
    "callers-0900": 5,
    "callers-088": 3,
    "radio-units": 10,
    "office-users": 5,
    "dispatchers": 15,
}
RENDER_TIMEOUT = 300.0


@dataclass(frozen=True)
class Render:
    requests: int
    journal_mib: float
    seconds: float
    peak_mib: float
    exit_code: int


def write_journal(path: Path, requests: int, seed: int = 0) -> None:
    """A run's journal with `requests` requests; deterministic for a seed."""
    rng = random.Random(seed)
    scenario = scenarios_dir() / "baseline.yaml"
    replay = requests / PER_S
    wall0 = 1_767_600_000.0
    start = RunStart(
        wall0,
        0.0,
        scenario="baseline",
        seed=seed,
        clock_start="2026-01-05T08:00:00",
        span=SPAN,
        replay=replay,
        file=str(scenario),
        topology=str(scenarios_dir() / "topologies" / "meldkamer-nl.yaml"),
        regions={t: list(REGIONS) for t in MIX if t != "office-users"},
        marks=[list(m) for m in linear(SPAN, replay)],
    )
    classes, weights = list(MIX), list(MIX.values())
    with path.open("w", encoding="utf-8") as out:
        out.write(start.to_json() + "\n")
        lines = []
        for i in range(requests):
            wall = i / PER_S
            traffic = rng.choices(classes, weights)[0]
            ok = rng.random() > 0.0005
            request = Request(
                wall0 + wall,
                wall * SPAN / replay,
                traffic=traffic,
                ok=ok,
                latency=rng.lognormvariate(-4.0, 0.5),
                region=None if traffic == "office-users" else rng.choice(REGIONS),
                error=None if ok else "timeout",
                via="console" if traffic == "dispatchers" else None,
            )
            lines.append(request.to_json())
            if len(lines) >= 10_000:
                out.write("\n".join(lines) + "\n")
                lines.clear()
        if lines:
            out.write("\n".join(lines) + "\n")
        out.write(RunEnd(wall0 + replay, SPAN, verdict="passed").to_json() + "\n")


def render(requests: int, work: Path) -> Render:
    run_dir = work / f"journal-{requests}"
    run_dir.mkdir(parents=True, exist_ok=True)
    journal = run_dir / "journal.jsonl"
    write_journal(journal, requests)
    harness = Path(sys.executable).with_name("harness")
    began = time.monotonic()
    with (run_dir / "render.log").open("wb") as log:
        proc = procs.spawn([str(harness), "report", str(run_dir)], stdout=log, stderr=log)
        timer = threading.Timer(RENDER_TIMEOUT, procs.stop, (proc,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # the child's own peak RSS
        finally:
            timer.cancel()
        proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - began
    return Render(
        requests,
        journal.stat().st_size / 2**20,
        seconds,
        usage.ru_maxrss / 1024,  # KiB on Linux
        proc.returncode,
    )


def summary_verdict(run_dir: Path) -> str:
    """The verdict the render wrote (for the log: a synthetic run has no incidents to reconcile)."""
    path = run_dir / "summary.json"
    if not path.exists():
        return "no summary.json"
    return str(json.loads(path.read_text(encoding="utf-8")).get("verdict", "?"))
