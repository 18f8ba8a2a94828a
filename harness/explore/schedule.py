"""A candidate fault schedule: what `harness explore` draws, runs, shrinks and writes.

A schedule is plain data (scenario seconds and Toxiproxy's integers), so two draws that mean
the same thing have the same `key` and run once, and its `size` orders failures the way a
reader would: fewer faults first, then shorter windows in all.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import asdict, dataclass
from typing import Any

from harness.model.duration import format_duration


@dataclass(frozen=True)
class Flapping:
    up: int  # scenario seconds up, then down, repeating within the window
    down: int


@dataclass(frozen=True)
class Trial:
    """One fault of a schedule: a link toxic or a process fault, in a window."""

    target: str  # a link pattern, or a service name for process faults
    kind: str  # a toxic name, or pause / kill / restart
    attributes: tuple[tuple[str, int], ...]  # the toxic's, in Toxiproxy's unit
    start: int  # scenario seconds from the clock's start
    length: int
    flap: Flapping | None = None

    @property
    def process(self) -> bool:
        return self.kind in ("pause", "kill", "restart")

    def describe(self) -> str:
        what = " ".join([self.kind, *(f"{k}={v}" for k, v in self.attributes)])
        how = f", flapping up {_d(self.flap.up)} / down {_d(self.flap.down)}" if self.flap else ""
        when = f"+{_d(self.start)} for {_d(self.length)}"
        return f"{self.target}: {what} at {when}{how}"

    def fault(self, name: str) -> dict[str, Any]:
        """This trial as a fault of a scenario file (docs/scenarios.md)."""
        target = {"service": self.target} if self.process else {"links": self.target}
        action: dict[str, Any] = (
            {"process": self.kind}
            if self.process
            else {"toxic": self.kind, **dict(self.attributes)}
        )
        fault: dict[str, Any] = {
            "name": name,
            "assumption": "drawn by harness explore within the scenario's explore: bounds",
            "target": target,
            "action": action,
            "when": {"from": f"+{_d(self.start)}", "until": f"+{_d(self.start + self.length)}"},
        }
        if self.flap is not None:
            periods = {"up": [_d(self.flap.up)] * 2, "down": [_d(self.flap.down)] * 2}
            fault["pattern"] = {"flap": periods}
        return fault


@dataclass(frozen=True)
class Schedule:
    trials: tuple[Trial, ...]

    @property
    def key(self) -> str:
        """The same schedule, however it was drawn, has the same key (and one verdict)."""
        return json.dumps([asdict(t) for t in self.trials], sort_keys=True)

    @property
    def size(self) -> tuple[int, int]:
        """(faults, total window seconds): what "smaller" means to a reader."""
        return len(self.trials), sum(t.length for t in self.trials)

    def faults(self) -> list[dict[str, Any]]:
        return [t.fault(f"explore-{i}") for i, t in enumerate(self.trials, start=1)]

    def describe(self) -> str:
        return "; ".join(t.describe() for t in self.trials)

    def overlaps(self) -> bool:
        spans = sorted((t.start, t.start + t.length) for t in self.trials)
        return any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))


def size_text(size: tuple[int, int]) -> str:
    faults, seconds = size
    return f"{faults} fault{'s' if faults != 1 else ''}, {_d(seconds)} of fault windows"


def _d(seconds: int) -> str:
    return format_duration(float(seconds))
