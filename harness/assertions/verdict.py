"""The verdict of a run and its exit code.

How the run ended outranks the assertions: an infrastructure error (3) says nothing about the
system under test, an interrupted run (128 + signal: 130 for SIGINT, 143 for SIGTERM) did not
finish, and a halted run (1) was stopped on purpose. Only a run that completed is judged by its
assertions: passed (0) when every one held, failed (1) otherwise. Invalid input (2) is refused
before a run starts and never reaches here. Faults missing for longer than the scenario's
`max_drift` (`with_drift`) make any run an infrastructure error: it did not test what it says.
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from harness.assertions.drift import DriftTally, over_budget
from harness.assertions.evaluate import Outcome
from harness.journal import Event, Halt, RunEnd

Status = Literal["passed", "failed", "halted", "interrupted", "error"]
EXIT_CODES: dict[str, int] = {"passed": 0, "failed": 1, "halted": 1, "error": 3}


@dataclass(frozen=True)
class Ending:
    """How the run stopped: completed, halted (with the Halt), interrupted (by a signal) or
    error (the infrastructure failed)."""

    kind: Literal["completed", "halted", "interrupted", "error"] = "completed"
    reason: str = ""
    signum: int = signal.SIGINT
    halt: Halt | None = None


COMPLETED = Ending()


@dataclass(frozen=True)
class Verdict:
    status: Status
    exit_code: int
    reason: str = ""


def decide(outcomes: Sequence[Outcome], ending: Ending = COMPLETED) -> Verdict:
    if ending.kind == "error":
        return Verdict("error", EXIT_CODES["error"], ending.reason or "infrastructure error")
    if ending.kind == "interrupted":
        name = signal.Signals(ending.signum).name if ending.signum in _SIGNALS else ending.signum
        reason = ending.reason or f"interrupted by {name}"
        return Verdict("interrupted", 128 + ending.signum, reason)
    if ending.kind == "halted":
        reason = ending.reason
        if not reason and ending.halt is not None:
            reason = f"halt condition '{ending.halt.check}' tripped"
        return Verdict("halted", EXIT_CODES["halted"], reason or "a halt condition tripped")
    failed = [o.name for o in outcomes if not o.passed]
    if failed:
        reason = f"{len(failed)} of {len(outcomes)} assertions failed: {', '.join(failed)}"
        return Verdict("failed", EXIT_CODES["failed"], reason)
    return Verdict("passed", EXIT_CODES["passed"], f"all {len(outcomes)} assertions held")


_SIGNALS = {s.value for s in signal.Signals}


def with_drift(ending: Ending, drift: DriftTally, max_drift: float | None) -> Ending:
    """The ending, or an error when the faults were missing for longer than `max_drift` wall
    seconds in all. Without `max_drift`, drift is reported but changes nothing."""
    if ending.kind == "error":
        return ending
    reason = over_budget(drift, max_drift)
    return ending if reason is None else Ending("error", reason)


def ending_from_journal(events: Iterable[Event]) -> Ending:
    """How a recorded run ended, for re-rendering: its run-end (and halt) events. A journal
    without a run-end belongs to a run that was killed (kill -9) or is still going."""
    end: RunEnd | None = None
    halt: Halt | None = None
    for event in events:
        if isinstance(event, RunEnd):
            end = event
        elif isinstance(event, Halt) and halt is None:
            halt = event
    if end is None:
        reason = "the journal has no run-end: the run was killed or has not finished"
        return Ending("interrupted", reason, signal.SIGKILL)
    if end.verdict == "error":
        return Ending("error", end.reason)
    if end.verdict == "interrupted":
        found = re.search(r"signal (\d+)", end.reason)
        return Ending("interrupted", end.reason, int(found[1]) if found else signal.SIGINT)
    if end.verdict == "halted" or halt is not None:
        return Ending("halted", end.reason, halt=halt)
    return COMPLETED
