"""The journal as assertions see it: run bounds, the scenario clock, and request selections.

Requests are selected by traffic class, region and a window of scenario time. The regions a
check covers per region are the ones the run-start says the class was loaded in (with any
other region the journal shows), so a loaded region without a request is judged, not left
out. Gaps are
measured in wall time (see metrics.max_gap), so a selection also carries its window converted
to wall time with the RunStart clock and clipped to the run: a window that reaches past a
halted run's end stops where the run stopped.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from harness.journal import Drift, Event, Halt, Incidents, Request, RunEnd, RunStart, Transition
from harness.model.scenario import Window


@dataclass(frozen=True)
class Selection:
    """The requests of one traffic class / region / window, and where the window lies in
    wall time (clipped to the run)."""

    requests: tuple[Request, ...]
    start_wall: float
    end_wall: float
    incidents: Incidents | None = None
    service_regions: dict[str, str] = field(default_factory=dict)  # service -> its region
    scenario_at: Callable[[float], float] = float  # wall -> scenario time (the run's clock)

    @property
    def start_t(self) -> float:
        return self.scenario_at(self.start_wall)

    @property
    def end_t(self) -> float:
        return self.scenario_at(self.end_wall)


class JournalView:
    """One run's events, indexed once so many checks can select from them cheaply."""

    def __init__(self, events: Iterable[Event]) -> None:
        self.start: RunStart | None = None
        self.end: RunEnd | None = None
        self.incidents: Incidents | None = None  # the last reconciliation wins
        self.requests: list[Request] = []
        self.transitions: list[Transition] = []
        self.drifts: list[Drift] = []  # applied faults found missing, and healed
        self.halts: list[Halt] = []
        first = last = None
        for event in events:
            first = event.wall if first is None else min(first, event.wall)
            last = event.wall if last is None else max(last, event.wall)
            if isinstance(event, Request):
                self.requests.append(event)
            elif isinstance(event, Transition):
                self.transitions.append(event)
            elif isinstance(event, Drift):
                self.drifts.append(event)
            elif isinstance(event, RunStart):
                self.start = self.start or event
            elif isinstance(event, RunEnd):
                self.end = event
            elif isinstance(event, Incidents):
                self.incidents = event
            elif isinstance(event, Halt):
                self.halts.append(event)
        self.start_wall = self.start.wall if self.start else (first or 0.0)
        # Without a run-end (kill -9) the run lasted as long as its last event. The load stops
        # at the end of the replay (or at a halt): the wrap-up after it is not part of the run.
        ends = [self.end.wall if self.end else (last or self.start_wall)]
        if self.start is not None and self.start.replay > 0:
            ends.append(self.start_wall + self.start.replay)
        ends += [h.wall for h in self.halts]
        self.end_wall = max(self.start_wall, min(ends))
        self._index: dict[tuple[str | None, str | None], tuple[list[float], list[Request]]] = {}

    # ---- the clock ---------------------------------------------------------------------

    @property
    def span(self) -> float:
        """Scenario seconds the run was meant to cover."""
        if self.start and self.start.span > 0:
            return self.start.span
        return max((r.t for r in self.requests), default=0.0)

    def wall_at(self, t: float) -> float:
        if self.start:
            return self.start.wall_at(t)
        return self.start_wall + t

    def scenario_at(self, wall: float) -> float:
        if self.start:
            return self.start.scenario_at(wall)
        return wall - self.start_wall

    @property
    def clock_start(self) -> datetime:
        if self.start and self.start.clock_start:
            try:
                return datetime.fromisoformat(self.start.clock_start).replace(tzinfo=None)
            except ValueError:
                pass
        return datetime(1970, 1, 1) + timedelta(seconds=self.start_wall)

    def date_at(self, t: float) -> datetime:
        return self.clock_start + timedelta(seconds=t)

    @property
    def end_t(self) -> float:
        """Scenario time the run reached (earlier than span when halted or interrupted)."""
        reached = max(self.scenario_at(self.end_wall), 0.0)
        return min(reached, self.span) if self.span > 0 else reached

    # ---- selections ----------------------------------------------------------------------

    def regions(self, traffic: str | None) -> list[str]:
        """Every region the traffic class was loaded in or produced requests in."""
        return sorted(set(self.loaded_regions(traffic)) | set(self.seen_regions(traffic)))

    def loaded_regions(self, traffic: str | None) -> list[str]:
        """The regions the run-start says the class had users in (None: any class)."""
        planned = self.start.regions if self.start else {}
        chosen = planned.values() if traffic is None else [planned.get(traffic, [])]
        return sorted({region for regions in chosen for region in regions})

    def seen_regions(self, traffic: str | None) -> list[str]:
        """Every region the traffic class produced requests in, anywhere in the run."""
        return sorted(
            {r.region for r in self.requests if r.region and traffic in (None, r.traffic)}
        )

    @property
    def service_regions(self) -> dict[str, str]:
        return self.start.service_regions if self.start else {}

    def select(
        self, traffic: str | None, region: str | None = None, window: Window | None = None
    ) -> Selection:
        times, requests = self._group(traffic, region)
        lo_wall, hi_wall = self.start_wall, self.end_wall
        if window is not None:
            lo = bisect.bisect_left(times, window.start)
            hi = bisect.bisect_left(times, window.end)  # Window.contains: start <= t < end
            requests = requests[lo:hi]
            lo_wall = max(lo_wall, self.wall_at(window.start))
            hi_wall = min(hi_wall, self.wall_at(window.end))
        return Selection(
            tuple(requests),
            lo_wall,
            max(lo_wall, hi_wall),
            self.incidents,
            self.service_regions,
            self.scenario_at,
        )

    def _group(self, traffic: str | None, region: str | None) -> tuple[list[float], list[Request]]:
        key = (traffic, region)
        if key not in self._index:
            chosen = sorted(
                (
                    r
                    for r in self.requests
                    if traffic in (None, r.traffic) and region in (None, r.region)
                ),
                key=lambda r: r.t,
            )
            self._index[key] = ([r.t for r in chosen], chosen)
        return self._index[key]
