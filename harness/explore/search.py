"""The search: hypothesis draws schedules, one run judges each, hypothesis shrinks a failure.

hypothesis expects a test it may call as often as it likes; a run costs seconds. So every
verdict is memoised by the schedule's key (the same schedule never runs twice, and shrinking
sees the same answer again), and once the budget of runs or time is spent, a schedule not yet
run counts as passing: hypothesis then ends at once, holding the smallest failure it actually
ran. Its example database (one folder per scenario and bounds) replays a known failure first.

Stopping is a BaseException, so hypothesis does not take it for a failure: StopSearch (a
signal; the run it arrived in wound down first) and Abort (the stack broke, exit 3).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import seed as with_seed
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import Unsatisfiable

from harness.errors import HarnessError, InvalidInput
from harness.explore.schedule import Schedule, size_text


class StopSearch(BaseException):
    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"stopped by signal {signum}")


class Abort(BaseException):
    def __init__(self, error: HarnessError) -> None:
        self.error = error
        super().__init__(str(error))


class _Broke(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


@dataclass(frozen=True)
class Tried:
    """One example that was run: its number, schedule, verdict and where its report is."""

    number: int
    schedule: Schedule
    failed: bool
    summary: str  # the broken assertions in one line, or "passed"
    report_dir: Path
    seconds: float  # wall time the run took


RunExample = Callable[[int, Schedule], Tried]


@dataclass
class Search:
    budget: int  # runs at most
    max_time: float | None  # wall seconds at most
    database: Path
    say: Callable[[str], None]
    seed: int | None = None
    estimate: float = 15.0  # wall seconds one run takes, until one has been timed
    tried: list[Tried] = field(default_factory=list)
    exhausted: str = ""  # why the search stopped running examples, once it did
    _memo: dict[str, Tried] = field(default_factory=dict)
    _deadline: float = 0.0
    _run_example: RunExample | None = None

    def run(self, run_example: RunExample, strategy: st.SearchStrategy[Schedule]) -> Tried | None:
        """The smallest failure hypothesis shrank to, or None when every run passed."""
        self._run_example = run_example
        self._deadline = time.monotonic() + (self.max_time or float("inf"))
        test = given(strategy)(self._check)
        if self.seed is not None:  # before the settings: @seed alone would drop the database
            test = with_seed(self.seed)(test)
        test = settings(
            database=DirectoryBasedExampleDatabase(self.database),
            max_examples=self.budget,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
            print_blob=False,
        )(test)
        try:
            test()
        except _Broke as broke:
            return self._memo[broke.key]
        except Unsatisfiable:
            raise InvalidInput(
                "explore: hypothesis cannot draw schedules that meet the bounds "
                "(with `overlap: false`, do the faults' windows fit the window?)"
            ) from None
        return None

    @property
    def failures(self) -> list[Tried]:
        return [t for t in self.tried if t.failed]

    def _check(self, schedule: Schedule) -> None:
        if self._verdict(schedule):
            raise _Broke(schedule.key)

    def _verdict(self, schedule: Schedule) -> bool:
        known = self._memo.get(schedule.key)
        if known is not None:
            return known.failed
        if self._spent():
            return False  # not run: hypothesis must not wait for what the budget forbids
        started = time.monotonic()
        assert self._run_example is not None
        tried = self._run_example(len(self.tried) + 1, schedule)
        self.estimate = time.monotonic() - started
        self._memo[schedule.key] = tried
        self.tried.append(tried)
        self.say(self.progress(tried))
        return tried.failed

    def _spent(self) -> bool:
        if not self.exhausted and len(self.tried) >= self.budget:
            self.exhausted = f"the budget of {self.budget} runs is spent"
        elif not self.exhausted and time.monotonic() + self.estimate > self._deadline:
            self.exhausted = "the time budget would be passed by another run"
        return bool(self.exhausted)

    def progress(self, tried: Tried) -> str:
        failures = self.failures
        smallest = min(failures, key=lambda t: t.schedule.size, default=None)
        best = f"smallest: {size_text(smallest.schedule.size)}" if smallest else "smallest: -"
        verdict = "FAILED" if tried.failed else "passed"
        return (
            f"example {tried.number}/{self.budget}: {verdict} ({tried.seconds:.0f} s) "
            f"{tried.schedule.describe()}\n"
            f"  tried {len(self.tried)}, failures {len(failures)}, {best}"
            + (f"\n  broke: {tried.summary}" if tried.failed else "")
        )
