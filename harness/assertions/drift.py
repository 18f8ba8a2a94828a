"""Drift over a run: how often applied faults were found not in force, and for how long.

Each Drift event's missing window runs from `last_seen` to `wall` (wall seconds; an upper
bound, see harness.journal.Drift). Windows that overlap count once: two links lost in one
Toxiproxy restart are missing for the restart's length, not twice that. A scenario may bound
the total with `max_drift`; above it the run's faults were not the scenario's, an
infrastructure error (exit 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.journal import Drift, Event
from harness.model.duration import format_duration


@dataclass(frozen=True)
class FaultDrift:
    fault: str
    events: int
    missing: float  # wall seconds, overlapping windows once
    failed: int  # could not be re-applied


@dataclass(frozen=True)
class DriftTally:
    events: int
    missing: float  # wall seconds during which at least one fault was not in force
    failed: int
    faults: tuple[FaultDrift, ...]

    def __str__(self) -> str:
        times = "time" if self.events == 1 else "times"
        line = f"faults drifted {self.events} {times}, missing for {_ms(self.missing)} in all"
        if self.failed:
            line += f", {self.failed} not re-applied"
        return line


def tally(events: Iterable[Event]) -> DriftTally:
    """The drift of a run, from its journal (other events are passed over)."""
    drifts = [e for e in events if isinstance(e, Drift)]
    by_fault: dict[str, list[Drift]] = {}
    for d in drifts:
        by_fault.setdefault(d.fault, []).append(d)
    faults = tuple(
        FaultDrift(name, len(ds), union_length(ds), sum(1 for d in ds if not d.ok))
        for name, ds in sorted(by_fault.items())
    )
    return DriftTally(len(drifts), union_length(drifts), sum(1 for d in drifts if not d.ok), faults)


def over_budget(drift: DriftTally, max_drift: float | None) -> str | None:
    """Why the run is an error, when its faults were missing longer than `max_drift` allows."""
    if max_drift is None or drift.missing <= max_drift:
        return None
    worst = sorted(drift.faults, key=lambda f: -f.missing)[:3]
    named = ", ".join(f"{f.fault} {_ms(f.missing)}" for f in worst)
    return f"{drift}: more than max_drift {format_duration(max_drift)} ({named})"


def union_length(drifts: Iterable[Drift]) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted((d.wall - d.missing, d.wall) for d in drifts):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
