"""How the run's clock compressed scenario time: one row per stretch between its marks.

A piecewise clock (focus windows) replays quiet stretches fast and assertion windows slowly;
the report shows each stretch with its wall seconds and its rate, so a reader can tell what
a second of the replay stood for at any moment.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from harness.journal import RunStart


@dataclass(frozen=True)
class Stretch:
    start: datetime  # scenario time
    end: datetime
    wall: float  # seconds of replay it got

    @property
    def rate(self) -> float:
        """Scenario seconds per wall second."""
        return (self.end - self.start).total_seconds() / self.wall if self.wall > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "until": self.end.isoformat(),
            "wall": round(self.wall, 3),
            "rate": round(self.rate, 3),
        }

    def text(self) -> str:
        return (
            f"{self.start:%a %d %b %H:%M} → {self.end:%a %d %b %H:%M}: "
            f"{self.wall:.2f} s, 1 s = {per_second(self.rate)}"
        )


def stretches(start: RunStart, clock_start: datetime) -> list[Stretch]:
    def at(t: float) -> datetime:
        return clock_start + timedelta(seconds=t)

    return [
        Stretch(at(t0), at(t1), w1 - w0)
        for (t0, w0), (t1, w1) in itertools.pairwise(start.clock_marks)
    ]


def per_second(rate: float) -> str:
    """A rate in scenario time per wall second, in the unit a reader thinks in."""
    for unit, size in (("h", 3600.0), ("min", 60.0)):
        if rate >= size:
            return f"{rate / size:.3g} {unit}"
    return f"{rate:.3g} s"
