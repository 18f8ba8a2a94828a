"""`harness run --workers N` on one machine (127.0.0.1): the master waits for `harness worker`s,
tells the user the command to start them, passes baseline with two of them (one journal, both
workers in it), and ends as an infrastructure error (exit 3) naming how many joined when too
few do within --workers-wait."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from harness import procs
from harness.errors import InfrastructureError
from harness.journal import Request, read_events
from harness.model.stack import StackInfo
from harness.run import RunOptions, run_scenario
from tests.e2e.conftest import SCENARIOS

pytestmark = [pytest.mark.integration, pytest.mark.slow]
HARNESS = str(Path(sys.executable).with_name("harness"))


def options(state: Path, report: Path, port: int, wait: float) -> RunOptions:
    return RunOptions(
        duration=7, state_dir=state, report_dir=report, live=False,
        workers=2, master_bind=("127.0.0.1", port), workers_wait=wait,
    )  # fmt: skip


def test_baseline_passes_on_two_workers_that_joined_from_elsewhere(
    dispatch_stack: StackInfo, dispatch_state_dir: Path, tmp_path: Path
) -> None:
    port = procs.free_port()
    workers = [procs.spawn([HARNESS, "worker", "--master", f"127.0.0.1:{port}"]) for _ in range(2)]
    said = Console(file=io.StringIO(), width=200)
    try:
        result = run_scenario(
            SCENARIOS / "baseline.yaml",
            options(dispatch_state_dir, tmp_path / "report", port, 30.0),
            said,
        )
    finally:
        for proc in workers:
            procs.stop(proc)
    assert result.verdict == "passed", result.table
    assert isinstance(said.file, io.StringIO)
    assert f"harness worker --master 127.0.0.1:{port}" in said.file.getvalue()
    reqs = [e for e in read_events(tmp_path / "report" / "journal.jsonl") if isinstance(e, Request)]
    assert len({r.worker for r in reqs}) == 2 and None not in {r.worker for r in reqs}


def test_too_few_workers_end_the_run_as_an_infrastructure_error(
    dispatch_stack: StackInfo, dispatch_state_dir: Path, tmp_path: Path
) -> None:
    port = procs.free_port()
    worker = procs.spawn([HARNESS, "worker", "--master", f"127.0.0.1:{port}"])
    try:
        with pytest.raises(InfrastructureError) as raised:
            run_scenario(
                SCENARIOS / "baseline.yaml",
                options(dispatch_state_dir, tmp_path / "report", port, 8.0),
                Console(file=io.StringIO()),
            )
    finally:
        procs.stop(worker)
    assert raised.value.exit_code == 3
    assert f"1 of 2 Locust workers joined the master at 127.0.0.1:{port} within 8 s" in str(
        raised.value
    )
