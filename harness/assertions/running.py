"""Assertions judged while the run goes, updated from each new event only.

The live panel shows every assertion's value so far and whether it holds. Evaluating the whole
journal again on every refresh costs more the longer the run; here each check keeps a tally per
selection (its region, or each region) that new requests update, so a refresh costs about the
same in the first minute and the tenth hour. The values are the ones `evaluate` gives for the
events so far (tests/unit/assertions/test_running.py holds them to that); only the wording of
why a check fails is left to the final evaluation, which the panel does not show.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter

from harness.assertions import metrics
from harness.assertions.evaluate import Measure, badness, judge, traffic_of
from harness.journal import Event, Halt, Incidents, Request, RunEnd, RunStart
from harness.model.scenario import Check


@dataclass(frozen=True)
class RunningOutcome:
    check: Check
    observed: float | None  # per region: the worst region's
    samples: int
    passed: bool


@dataclass(frozen=True)
class Bounds:
    """Where a selection's window lies in wall time, clipped to the run so far."""

    start: float
    end: float
    incidents: Incidents | None


class Tally:
    """What one metric needs from a selection of requests, kept up to date request by request."""

    def add(self, r: Request) -> None:
        raise NotImplementedError

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        raise NotImplementedError


class _Ratio(Tally):
    """success_ratio and requests: how many, how many succeeded."""

    def __init__(self) -> None:
        self.count = self.ok = 0

    def add(self, r: Request) -> None:
        self.count += 1
        self.ok += r.ok

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        if check.metric == "requests":
            return Measure(float(self.count), self.count, counted=False)
        return Measure(self.ok / self.count if self.count else None, self.count)


class _Latency(Tally):
    """The nearest-rank percentile of the successes' latency: the k smallest in a max-heap,
    the rest in a min-heap, k kept at the rank for the count so far."""

    def __init__(self, percentile: float) -> None:
        self.percentile = percentile
        self.low: list[float] = []  # negated: the k smallest, the largest of them on top
        self.high: list[float] = []

    def add(self, r: Request) -> None:
        if not r.ok:
            return
        if self.low and r.latency <= -self.low[0]:
            heapq.heappush(self.low, -r.latency)
        else:
            heapq.heappush(self.high, r.latency)
        k = metrics.nearest_rank(len(self.low) + len(self.high), self.percentile) + 1
        while len(self.low) > k:
            heapq.heappush(self.high, -heapq.heappop(self.low))
        while len(self.low) < k:
            heapq.heappush(self.low, -heapq.heappop(self.high))

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        n = len(self.low) + len(self.high)
        return Measure(-self.low[0] if n else None, n)


class _Gap(Tally):
    """max_gap: the successes' start times in order, clipped to the window's fixed bounds as
    max_gap clips them, and the gaps between neighbours in a heap (a gap split by a success
    journaled late is marked gone, and dropped when it comes to the top)."""

    def __init__(
        self,
        lo: float,
        hi: float,
        at: Callable[[Request], float] = attrgetter("wall"),
        to_axis: Callable[[float], float] = float,
    ) -> None:
        # `at` and `to_axis` pick the time axis: wall time (max_gap) or scenario time
        # (max_scenario_gap, with the wall bounds mapped through the run's clock)
        self.lo, self.hi, self.at, self.to_axis = lo, hi, at, to_axis
        self.count = 0
        self.walls: list[float] = []
        self._gaps: list[float] = []  # negated: heapq keeps the smallest first
        self._gone: Counter[float] = Counter()

    def add(self, r: Request) -> None:
        self.count += 1
        if not r.ok:
            return
        wall = min(max(self.at(r), self.lo), self.hi)
        i = bisect.bisect_right(self.walls, wall)
        before = self.walls[i - 1] if i > 0 else None
        after = self.walls[i] if i < len(self.walls) else None
        if before is not None and after is not None:
            self._gone[after - before] += 1
        if before is not None:
            heapq.heappush(self._gaps, -(wall - before))
        if after is not None:
            heapq.heappush(self._gaps, -(after - wall))
        self.walls.insert(i, wall)

    def widest_between(self) -> float:
        while self._gaps and self._gone[-self._gaps[0]]:
            self._gone[-heapq.heappop(self._gaps)] -= 1
        return -self._gaps[0] if self._gaps else 0.0

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        if not self.count:
            return Measure(None, 0)
        lo, hi, walls = self.to_axis(bounds.start), self.to_axis(bounds.end), self.walls
        if hi <= lo:
            return Measure(0.0, self.count)
        if not walls:
            return Measure(hi - lo, self.count)
        if walls[-1] > hi:  # the run ended before a success started (a halt): done in full
            return Measure(metrics.max_gap(walls, lo, hi), self.count)
        return Measure(max(walls[0] - lo, self.widest_between(), hi - walls[-1]), self.count)


class _Incidents(Tally):
    def __init__(self) -> None:
        self.calls: set[str] = set()

    def add(self, r: Request) -> None:
        if r.ok and r.call_id:
            self.calls.add(r.call_id)

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        if bounds.incidents is None:  # GMS is read after the run
            return Measure(None, len(self.calls), problem="no incidents reconciliation yet")
        pending = bounds.incidents.pending
        observed = metrics.incidents_reconciled(self.calls, bounds.incidents)
        return Measure(observed, len(self.calls), problem="buffered" if pending else "")


class _Via(Tally):
    def __init__(self, via: str) -> None:
        self.wanted = via
        self.ok = self.via = 0

    def add(self, r: Request) -> None:
        self.ok += r.ok
        self.via += r.ok and r.via == self.wanted

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        return Measure(self.via / self.ok if self.ok else None, self.ok)


class _Spans(Tally):
    """outage_spans: the requests' outcomes in wall-time order and the count of failure runs,
    updated where each request lands (only its neighbours can start or end a run)."""

    def __init__(self, via: str | None) -> None:
        self.via = via  # up only when a dispatch went this way (metrics.up)
        self.keys: list[tuple[float, float]] = []  # (wall, t), the order outage_spans uses
        self.oks: list[bool] = []
        self.spans = 0

    def add(self, r: Request) -> None:
        i = bisect.bisect_right(self.keys, (r.wall, r.t))
        before = self.oks[i - 1] if i > 0 else True
        after = self.oks[i] if i < len(self.oks) else True
        self.spans -= not after and before  # `after` no longer follows `before`
        ok = metrics.up(r, self.via)
        self.spans += (not ok and before) + (not after and ok)
        self.keys.insert(i, (r.wall, r.t))
        self.oks.insert(i, ok)

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        return Measure(float(self.spans) if self.oks else None, len(self.oks))


class _AnsweredBy(Tally):
    def __init__(self, wanted: str, service_regions: dict[str, str]) -> None:
        self.own, self.service_regions = wanted == "own", service_regions
        self.ok = self.told = self.wanted = 0

    def add(self, r: Request) -> None:
        if r.ok and (own := metrics.answered_by_own(r, self.service_regions)) is not None:
            self.told += 1
            self.wanted += own == self.own
        self.ok += r.ok

    def measure(self, check: Check, bounds: Bounds) -> Measure:
        if not self.service_regions:
            return Measure(None, self.ok, problem="no service regions in the run-start")
        return Measure(self.wanted / self.told if self.told else None, self.told)


class _Clock:
    """The run's bounds so far, as JournalView works them out for the whole journal."""

    def __init__(self, start: RunStart) -> None:
        self.start = start
        self.last = start.wall  # the newest event's wall time
        self.end: RunEnd | None = None
        self.halts: list[float] = []
        self.incidents: Incidents | None = None

    def feed(self, event: Event) -> None:
        self.last = max(self.last, event.wall)
        if isinstance(event, RunEnd):
            self.end = event
        elif isinstance(event, Halt):
            self.halts.append(event.wall)
        elif isinstance(event, Incidents):
            self.incidents = event

    @property
    def service_regions(self) -> dict[str, str]:
        return self.start.service_regions

    def loaded(self, running: _Running) -> set[str]:
        """The regions the run-start says the check's traffic class was loaded in."""
        planned = self.start.regions
        chosen = planned.values() if running.traffic is None else [planned.get(running.traffic, [])]
        return {region for regions in chosen for region in regions}

    def wall_at(self, t: float) -> float:
        return self.start.wall_at(t)

    def scenario_at(self, wall: float) -> float:
        return self.start.scenario_at(wall) if math.isfinite(wall) else wall

    def fixed_bounds(self, check: Check) -> tuple[float, float]:
        """The bounds of a check's window that do not move as the run goes on."""
        lo, hi = self.start.wall, math.inf
        if self.start.replay > 0:
            hi = self.start.wall + self.start.replay
        if check.window is not None:
            lo = max(lo, self.wall_at(check.window.start))
            hi = min(hi, self.wall_at(check.window.end))
        return lo, hi

    def bounds(self, check: Check) -> Bounds:
        ends = [self.end.wall if self.end else self.last, *self.halts]
        if self.start.replay > 0:
            ends.append(self.start.wall + self.start.replay)
        lo, hi = self.start.wall, max(self.start.wall, min(ends))
        if check.window is not None:
            lo = max(lo, self.wall_at(check.window.start))
            hi = min(hi, self.wall_at(check.window.end))
        return Bounds(lo, max(lo, hi), self.incidents)


def _scenario_gap(check: Check, clock: _Clock) -> Tally:
    lo, hi = (clock.scenario_at(x) for x in clock.fixed_bounds(check))
    return _Gap(lo, hi, attrgetter("t"), clock.scenario_at)


TALLIES: dict[str, Callable[[Check, _Clock], Tally]] = {
    "success_ratio": lambda c, clock: _Ratio(),
    "requests": lambda c, clock: _Ratio(),
    "latency": lambda c, clock: _Latency(c.percentile if c.percentile is not None else 50.0),
    "max_gap": lambda c, clock: _Gap(*clock.fixed_bounds(c)),
    "max_scenario_gap": lambda c, clock: _scenario_gap(c, clock),
    "incidents_reconciled": lambda c, clock: _Incidents(),
    "via_ratio": lambda c, clock: _Via(c.via or ""),
    "outage_spans": lambda c, clock: _Spans(c.via),
    "answered_by_ratio": lambda c, clock: _AnsweredBy(c.answered_by or "", clock.service_regions),
}


class _Running:
    """One check: a tally per selection (one, or one per region) and the regions seen."""

    def __init__(self, check: Check, clock: _Clock) -> None:
        self.check = check
        self.clock = clock
        self.traffic = traffic_of(check)
        self.tallies: dict[str | None, Tally] = {}
        self.regions: set[str] = set()  # every region of the traffic class, any time

    def add(self, r: Request) -> None:
        check = self.check
        if self.traffic not in (None, r.traffic) or check.metric not in TALLIES:
            return
        if r.region:
            self.regions.add(r.region)
        if check.window is not None and not check.window.start <= r.t < check.window.end:
            return
        if check.per == "region" or check.region is not None:
            if r.region is None or check.region not in (None, r.region):
                return
            key = r.region if check.per == "region" else None
        else:
            key = None
        if key not in self.tallies:
            self.tallies[key] = TALLIES[check.metric](check, self.clock)
        self.tallies[key].add(r)

    def outcome(self, clock: _Clock) -> RunningOutcome:
        check = self.check
        if check.metric not in TALLIES:
            return RunningOutcome(check, None, 0, False)
        bounds = clock.bounds(check)
        if check.per != "region":
            m = self._measure(None, bounds)
            return RunningOutcome(check, m.observed, m.samples, judge(check, m)[0])
        regions = [check.region] if check.region else sorted(self.regions | clock.loaded(self))
        if not regions:
            return RunningOutcome(check, None, 0, check.min_requests == 0)
        results = []
        for region in regions:
            if region not in self.regions and check.metric != "requests":
                results.append(RunningOutcome(check, None, 0, False))  # never reached: fails
                continue
            m = self._measure(region, bounds)
            results.append(RunningOutcome(check, m.observed, m.samples, judge(check, m)[0]))
        worst = max(results, key=lambda r: (not r.passed, badness(check, r.observed)))
        return RunningOutcome(check, worst.observed, worst.samples, all(r.passed for r in results))

    def _measure(self, key: str | None, bounds: Bounds) -> Measure:
        tally = self.tallies.get(key) or TALLIES[self.check.metric](self.check, self.clock)
        return tally.measure(self.check, bounds)


class RunningChecks:
    """Feed it the journal's new events; `outcomes()` judges every check on all so far."""

    def __init__(self, checks: Iterable[Check], start: RunStart) -> None:
        self._clock = _Clock(start)
        self._checks = [_Running(c, self._clock) for c in checks]

    def feed(self, events: Iterable[Event]) -> None:
        for event in events:
            self._clock.feed(event)
            if isinstance(event, Request):
                for running in self._checks:
                    running.add(event)

    def outcomes(self) -> list[RunningOutcome]:
        return [running.outcome(self._clock) for running in self._checks]
