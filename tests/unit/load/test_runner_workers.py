"""A master waiting for workers: how long it waits is the run's choice, and when too few join,
the error names how many did (read from Locust's own log lines)."""

from __future__ import annotations

from pathlib import Path

from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner, _joined
from tests.unit.load import world


def master(tmp_path: Path, wait: float) -> LoadRunner:
    return LoadRunner(
        world.scenario({"callers-112": 10.0}),
        world.stack(),
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=1000.0,
        duration=30.0,
        options=LoadOptions(timeout=2.0, hold=1.0),
        workers=2,
        bind=("10.0.0.1", 5557),
        ready_wait=wait,
    )


def test_the_master_waits_as_long_as_asked_for_its_workers(tmp_path: Path) -> None:
    argv = master(tmp_path, 4.5).argv(now=1000.0)
    assert argv[argv.index("--expect-workers") + 1] == "2"
    assert argv[argv.index("--expect-workers-max-wait") + 1] == "5"  # whole seconds, rounded up
    assert argv[argv.index("--master-bind-host") + 1] == "10.0.0.1"


def test_the_workers_that_joined_are_counted_from_locusts_log(tmp_path: Path) -> None:
    log = tmp_path / "locust.log"
    log.write_text("")
    assert _joined(log) == 0
    log.write_text(
        "[..] INFO/locust.runners: host-a_1f (index 0) reported as ready. 1 workers connected.\n"
        "[..] INFO/locust.main: Waiting for workers to be ready, 1 of 2 connected\n"
        "[..] ERROR/locust.main: Gave up waiting for workers to connect\n"
    )
    assert _joined(log) == 1
