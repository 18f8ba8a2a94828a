"""The load a run drives, as the run sees it: started at the run's start, watched while it goes,
waited for or stopped at the end. Locust (harness/load/) by default; tests give a fake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.load.runner import READY_WAIT, LoadRunner
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo


class Load(Protocol):
    log_file: Path  # named in the verdict when the load dies early
    wall_start: float  # t = 0: the wall start asked for, or later when the load needed longer

    @property
    def expected_end(self) -> float:
        """Unix time by which the load will have ended by itself."""
        ...

    def running(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> int | None: ...

    def stop(self) -> int | None: ...


@dataclass(frozen=True)
class Spread:
    """Where the load is generated: `processes` local Locust processes, or (`workers` > 0) a
    master at `bind` waiting up to `wait` seconds for that many workers to join."""

    processes: int = 1
    workers: int = 0
    bind: tuple[str, int] = ("127.0.0.1", 0)
    wait: float = READY_WAIT


# (scenario, stack, journal, report dir, earliest wall start, replay seconds, spread) -> a
# load started and ready: every user in place, waiting for its `wall_start`
StartLoad = Callable[[Scenario, StackInfo, Path, Path, float, float, Spread], Load]


def start_locust(
    scenario: Scenario,
    stack: StackInfo,
    journal: Path,
    report_dir: Path,
    wall_start: float,
    duration: float,
    spread: Spread,
) -> Load:
    if spread.workers and stack.backend == "compose":  # workers in containers, on its network
        from harness.backends.compose_workers import start_with_worker_containers

        return start_with_worker_containers(
            scenario, stack, journal, report_dir, wall_start, duration, spread.workers, spread.wait
        )
    runner = LoadRunner(
        scenario,
        stack,
        journal,
        report_dir,
        wall_start,
        duration,
        spread.processes,
        workers=spread.workers,
        bind=spread.bind,
        ready_wait=spread.wait,
    )
    return runner.start()
