"""The load a run drives, as the run sees it: started at the run's start, watched while it goes,
waited for or stopped at the end. Locust (harness/load/) by default; tests give a fake."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from harness.load.runner import LoadRunner
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


# (scenario, stack, journal, report dir, earliest wall start, replay seconds, processes) -> a
# load started and ready: every user in place, waiting for its `wall_start`
StartLoad = Callable[[Scenario, StackInfo, Path, Path, float, float, int], Load]


def start_locust(
    scenario: Scenario,
    stack: StackInfo,
    journal: Path,
    report_dir: Path,
    wall_start: float,
    duration: float,
    processes: int,
) -> Load:
    return LoadRunner(scenario, stack, journal, report_dir, wall_start, duration, processes).start()
