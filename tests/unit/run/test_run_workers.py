"""A run with `workers` hands the load a master waiting for them, and tells the user the exact
`harness worker` command to run on each worker host (on stderr, the run's console)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.run.load import Spread
from harness.run.replay import Run
from harness.run.signals import Signals
from tests.unit.faults.fake_driver import FakeDriver
from tests.unit.run.fakes import FakeEvidence, FakeLoad, LoadStarter, options, stack, tiny_scenario


class SpreadSeen(LoadStarter):
    def __init__(self) -> None:
        super().__init__()
        self.spread: Spread | None = None

    def __call__(  # type: ignore[override]
        self,
        scenario: Scenario,
        stack: StackInfo,
        journal: Path,
        report_dir: Path,
        wall_start: float,
        duration: float,
        spread: Spread,
    ) -> FakeLoad:
        self.spread = spread
        return super().__call__(scenario, stack, journal, report_dir, wall_start, duration, 1)


def run(tmp: Path, stack_info: StackInfo, **changes: object) -> tuple[Spread | None, str]:
    (tmp / "report").mkdir()
    console = Console(file=io.StringIO(), width=200)
    starter = SpreadSeen()
    Run(
        tiny_scenario(),
        stack_info,
        tmp / "report",
        replace(options(tmp), **changes),  # type: ignore[arg-type]
        console,
        Signals(),
        drivers=[FakeDriver()],
        evidence=FakeEvidence(),
        start_load=starter,
    ).execute()
    assert isinstance(console.file, io.StringIO)
    return starter.spread, console.file.getvalue()


def test_without_workers_the_load_runs_its_own_processes(tmp_path: Path) -> None:
    spread, said = run(tmp_path, stack(), processes=2)
    assert spread == Spread(processes=2)
    assert "harness worker" not in said


def test_workers_join_a_master_on_a_free_loopback_port_and_are_told_how(tmp_path: Path) -> None:
    spread, said = run(tmp_path, stack(), workers=2, workers_wait=5.0)
    assert spread is not None and (spread.workers, spread.wait) == (2, 5.0)
    host, port = spread.bind
    assert host == "127.0.0.1" and port > 0
    assert "for 2 Locust worker(s)" in said
    assert f"harness worker --master 127.0.0.1:{port}" in said


def test_the_master_binds_where_asked(tmp_path: Path) -> None:
    spread, said = run(tmp_path, stack(), workers=1, master_bind=("127.0.0.1", 5557))
    assert spread is not None and spread.bind == ("127.0.0.1", 5557)
    assert "harness worker --master 127.0.0.1:5557" in said


def test_on_compose_the_workers_are_containers_nobody_has_to_start(tmp_path: Path) -> None:
    spread, said = run(tmp_path, replace(stack(), backend="compose"), workers=2)
    assert spread is not None and spread.workers == 2
    assert "harness worker" not in said
