"""Scenario time compressed into replay time, piecewise: quiet stretches fast, focus slow.

A 66-hour incident replayed in 90 s at one rate gives a 30-minute outage 0.7 s of wall time,
a handful of calls: its verdict would hang on one or two samples. A focus window asks for at
least so many wall seconds for a stretch of scenario time (explicit in the scenario, or worked
out from the sample floor, see floor.py); the plan pins those and spreads what is left of the
replay evenly over the rest. The result is a monotone, piecewise-linear map given by its
marks: (scenario second, wall second) pairs from (0, 0) to (span, replay).

Pure: no harness imports, so the journal can carry a clock too.
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

Marks = tuple[tuple[float, float], ...]

_EPS = 1e-9
SLACK = 1e-4  # a window short by less than this share has its seconds (cuts snap to _TOUCH)
_TOUCH = 1e-3  # scenario seconds: window edges closer than this are one cut
_MIN_QUIET = 1e-6  # wall seconds per scenario second when focus windows take the whole replay


@dataclass(frozen=True)
class Focus:
    """A stretch of scenario time [start, end) that needs at least `wall` seconds of replay."""

    start: float
    end: float
    wall: float
    why: str = ""  # what asks for it, for messages: an assertion, "focus window 1"
    line: int | None = None  # where in the scenario file


@dataclass(frozen=True)
class Clock:
    """Scenario time (seconds since `start`) compressed into `replay` seconds of wall time."""

    start: datetime
    end: datetime
    replay: float
    focus: tuple[Focus, ...] = field(default=(), compare=False)

    @property
    def span(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def factor(self) -> float:
        """Scenario seconds per wall second, on average over the whole replay."""
        return self.span / self.replay

    @cached_property
    def marks(self) -> Marks:
        return plan(self.span, self.replay, self.focus)

    def to_wall(self, t: float) -> float:
        return interpolate(self.marks, t, 0)

    def to_scenario(self, wall_offset: float) -> float:
        return interpolate(self.marks, wall_offset, 1)

    def wall_between(self, start: float, end: float) -> float:
        return self.to_wall(end) - self.to_wall(start)

    def at(self, t: float) -> datetime:
        return self.start + timedelta(seconds=t)

    def with_replay(self, replay: float) -> Clock:
        return Clock(self.start, self.end, replay, self.focus)

    def shortfalls(self) -> list[tuple[Focus, float]]:
        """Focus windows this replay cannot give their wall seconds, with what they get."""
        got = [(f, self.wall_between(f.start, f.end)) for f in self.focus]
        return [(f, wall) for f, wall in got if wall < f.wall * (1 - SLACK)]


def interpolate(marks: Marks, value: float, axis: int) -> float:
    """Map `value` on one axis of the marks (0: scenario, 1: wall) to the other; linear
    beyond the ends, so a request a little past the replay still gets a time."""
    other = 1 - axis
    keys = [m[axis] for m in marks]
    i = min(max(bisect.bisect_right(keys, value), 1), len(marks) - 1)
    (a0, b0), (a1, b1) = _ordered(marks[i - 1], axis), _ordered(marks[i], axis)
    if a1 - a0 <= 0:
        return marks[i][other]
    return b0 + (value - a0) * (b1 - b0) / (a1 - a0)


def _ordered(mark: tuple[float, float], axis: int) -> tuple[float, float]:
    return (mark[0], mark[1]) if axis == 0 else (mark[1], mark[0])


def linear(span: float, replay: float) -> Marks:
    return ((0.0, 0.0), (span, replay))


def plan(span: float, replay: float, focus: tuple[Focus, ...]) -> Marks:
    """Marks that give every focus window at least its wall seconds where the replay allows.

    Shortest windows are pinned first (a short outage inside a long incident gets its own
    seconds, and the long window is then checked with it); a window already given enough at
    the current quiet rate is left alone. Pinning slows the quiet rate, so passes repeat until
    nothing changes. When the pins take the whole replay, quiet stretches get a token rate
    and the marks are scaled to the replay: shortfalls() then tells which windows miss.
    """
    windows = [f for f in focus if f.end > f.start and f.wall > 0]
    if span <= 0 or replay <= 0 or not windows:
        return linear(max(span, 0.0), max(replay, 0.0))
    inner = sorted(x for f in windows for x in (f.start, f.end) if _TOUCH < x < span - _TOUCH)
    cuts = [0.0]
    for x in inner:
        if x - cuts[-1] > _TOUCH:  # a sliver between two cuts would get no wall time at all
            cuts.append(x)
    pieces = Pieces([*cuts, span], replay)
    ordered = sorted(windows, key=lambda f: (f.end - f.start, -f.wall))
    for _ in range(4 * len(ordered) + 4):  # each pass pins more; a few passes settle
        changed = False
        for f in ordered:
            changed |= pieces.give(f)
        if not changed:
            break
    return pieces.marks()


class Pieces:
    """The scenario time between consecutive cuts, each pinned to a wall length or quiet."""

    def __init__(self, cuts: list[float], replay: float) -> None:
        self.cuts, self.replay = cuts, replay
        self.lengths = [b - a for a, b in itertools.pairwise(cuts)]
        self.pinned: dict[int, float] = {}

    def quiet_rate(self) -> float:
        free = sum(n for i, n in enumerate(self.lengths) if i not in self.pinned)
        left = self.replay - sum(self.pinned.values())
        return max(left / free, _MIN_QUIET) if free > 0 else _MIN_QUIET

    def wall(self, i: int, rate: float) -> float:
        return self.pinned.get(i, self.lengths[i] * rate)

    def inside(self, f: Focus) -> list[int]:
        return [
            i
            for i, (a, b) in enumerate(itertools.pairwise(self.cuts))
            if a >= f.start - _TOUCH and b <= f.end + _TOUCH
        ]

    def give(self, f: Focus) -> bool:
        """Pin the pieces of `f` so it gets its wall seconds; False when it has them."""
        rate, idx = self.quiet_rate(), self.inside(f)
        have = sum(self.wall(i, rate) for i in idx)
        if not idx or have >= f.wall * (1 - _EPS):
            return False
        free = [i for i in idx if i not in self.pinned]
        if free:
            held = sum(self.pinned[i] for i in idx if i in self.pinned)
            per_second = (f.wall - held) / sum(self.lengths[i] for i in free)
            self.pinned.update({i: self.lengths[i] * per_second for i in free})
        else:
            self.pinned.update({i: self.pinned[i] * f.wall / have for i in idx})
        return True

    def marks(self) -> Marks:
        rate = self.quiet_rate()
        walls = [self.wall(i, rate) for i in range(len(self.lengths))]
        scale = self.replay / sum(walls)  # 1 unless the pins overran the replay
        out, wall = [(0.0, 0.0)], 0.0
        for cut, piece in zip(self.cuts[1:], walls, strict=False):
            wall += piece * scale
            out.append((cut, wall))
        return tuple(out)
