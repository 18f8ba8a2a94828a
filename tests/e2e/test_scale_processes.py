"""No false verdicts from scale: the library passes with `--processes 2` as with one process.

Two worker processes must neither eat into scenario time while they start (t = 0 waits for
every user of every worker: harness/load/start_gate.py) nor bunch their arrivals (each user
takes its own slot across the workers), or "meldkamers reachable at all times" sees gaps that
are the generator's, not the system's. Baseline at the shortest duration the sample floor
allows (7 s); September at the 30 s the library test proves with one process (at the floor's
23 s a single process already misses an assertion now and then: few samples per flap)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.journal import Request, RunStart, read_events
from harness.model.stack import StackInfo
from harness.run import RunOptions, run_scenario
from tests.e2e.conftest import SCENARIOS

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.parametrize(("name", "duration"), [("baseline", 7), ("september-2020", 30)])
def test_two_worker_processes_reach_the_verdict_of_one(
    dispatch_stack: StackInfo, dispatch_state_dir: Path, tmp_path: Path, name: str, duration: int
) -> None:
    report = tmp_path / "report"
    options = RunOptions(
        duration=duration, state_dir=dispatch_state_dir, report_dir=report, live=False, processes=2
    )
    result = run_scenario(SCENARIOS / f"{name}.yaml", options)
    assert result.verdict == "passed", result.table
    ready = json.loads((report / "load-ready.json").read_text())
    assert ready["workers"] == 2
    events = list(read_events(report / "journal.jsonl"))
    start = next(e for e in events if isinstance(e, RunStart))
    assert start.wall == ready["wall_start"]  # the run-start is the load's own t = 0
    requests = [e for e in events if isinstance(e, Request)]
    assert min(r.wall for r in requests) >= start.wall  # nothing before t = 0
