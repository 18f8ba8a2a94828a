"""The sample floor: every assertion window must expect enough requests to be judged.

A window's expected samples are the arrivals its traffic class offers per wall second (split
over the class's regions when the check is per region) times the wall seconds the clock gives
the window. Below the floor a verdict would hang on a call or two, so `validate` and `run`
refuse the scenario at that duration, naming the window, what it expects and the shortest
replay that gives every window its floor (exit 2). A `max_scenario_gap` threshold needs more:
its arrivals must come at least SPACINGS times within the threshold, in scenario time, even in
the fastest stretch of its window.

The needs do not depend on the replay (arrivals are per wall second): they are worked out
once, at load time, and checked against whatever clock the run ends up with.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

from harness.clock import SLACK, Clock, Focus
from harness.errors import InvalidInput, Problem
from harness.model.runtime import Check, Fault, Scenario, Spacing, TrafficLoad
from harness.model.topology import Topology
from harness.model.traffic import TRAFFIC_CLASSES, TrafficClass

MIN_SAMPLES = 20  # an assumption: the project's floor for a judgeable window
SPACINGS = 3  # an assumption: arrivals that must fit a max_scenario_gap threshold
UNCOUNTED = ("requests",)  # metrics that count requests themselves: no floor applies
_LONGEST = 10 * 86400.0  # the longest replay the shortest-duration search tries (wall s)

Checks = Iterable[tuple[Check, int | None]]


def needs(
    checks: Checks, load: Iterable[TrafficLoad], topology: Topology, span: float, min_samples: int
) -> tuple[Focus, ...]:
    """The wall seconds each assertion window needs to expect `min_samples` requests."""
    return tuple(
        Focus(start, end, min_samples / rate, f"assertion '{c.name}'", line)
        for c, line, rate, start, end in _windows(checks, load, topology, span)
    )


def spacings(
    checks: Checks, load: Iterable[TrafficLoad], topology: Topology, span: float
) -> tuple[Spacing, ...]:
    """What each max_scenario_gap threshold asks of the arrivals' spacing."""
    return tuple(
        Spacing(start, end, rate, c.threshold, f"assertion '{c.name}'", line)
        for c, line, rate, start, end in _windows(checks, load, topology, span)
        if c.metric == "max_scenario_gap"
    )


def damage_needs(
    checks: Checks,
    faults: Iterable[Fault],
    load: Iterable[TrafficLoad],
    topology: Topology,
    span: float,
    min_samples: int,
) -> tuple[Focus, ...]:
    """`unexpected_damage` judges every fault x class x region cell by `min_samples` requests
    while the fault is on and as many with no fault on (damage.py): the wall seconds that
    takes for the sparsest cell, in every fault's window and in the whole span."""
    line = next((line for c, line in checks if c.metric == "unexpected_damage"), -1)
    per_region = [
        (x.traffic, x.rate / region_count(topology, x.traffic_class)) for x in _known(load)
    ]
    if line == -1 or not per_region:
        return ()
    traffic, rate = min(per_region, key=lambda x: x[1])
    wall = min_samples / rate
    why = f"assertion 'unexpected_damage' ({traffic}, {rate:.3g}/s a region)"
    windows = [f.window for f in faults]
    return (
        *(Focus(w.start, w.end, wall, f"{why}, a fault's window", line) for w in windows),
        Focus(0.0, span, wall * (1 + len(windows)), f"{why}, with no fault on", line),
    )


def _known(load: Iterable[TrafficLoad]) -> list[TrafficLoad]:
    """The loaded classes with arrivals (an unknown one is reported elsewhere)."""
    return [x for x in load if x.rate > 0 and (x.declared or x.traffic in TRAFFIC_CLASSES)]


def _windows(
    checks: Checks, load: Iterable[TrafficLoad], topology: Topology, span: float
) -> Iterable[tuple[Check, int | None, float, float, float]]:
    """Each counted check with its line, its arrivals per wall second and its window."""
    rates = {x.traffic: (x.rate, x.traffic_class) for x in _known(load)}
    for check, line in checks:
        if check.traffic not in rates or check.metric in UNCOUNTED:
            continue
        rate, traffic = rates[check.traffic]
        if check.per == "region" or check.region:
            rate /= region_count(topology, traffic)
        start, end = (check.window.start, check.window.end) if check.window else (0.0, span)
        yield check, line, rate, start, end


def region_count(topology: Topology, traffic: TrafficClass) -> int:
    """How many regions a class spreads its arrivals over, evenly (as the load does)."""
    if traffic.regions:
        return len(traffic.regions)
    links = [
        topology.links[x] for x in topology.clients.get(traffic.client, ()) if x in topology.links
    ]
    targets = {topology.services[x.target].region for x in links if x.target in topology.services}
    regions = {r for r in targets if r is not None}
    if regions:
        return len(regions)
    return max(len(topology.regions), 1) if traffic.regional else 1


def problems(scenario: Scenario, fix: str | None = None) -> list[Problem]:
    """One `file:line` problem per window the scenario's clock starves, with the fix (by
    default: the shortest duration that works)."""
    starved = _starved(scenario, scenario.clock)
    if not starved:
        return []
    if fix is None:
        fix = f"the shortest duration that works is {shortest_replay(scenario)}"
        if not scenario.clock.focus:
            fix += " (or give the clock `focus: auto`, which needs less)"
    return [Problem(scenario.file, line, f"{what}; {fix}") for line, what in starved]


def check(scenario: Scenario, fix: str | None = None) -> Scenario:
    """The scenario, or InvalidInput (exit 2) when a window falls below the floor."""
    found = problems(scenario, fix)
    if found:
        raise InvalidInput(found)
    return scenario


def _starved(scenario: Scenario, clock: Clock) -> list[tuple[int | None, str]]:
    """(line, what is short) for every window this clock cannot judge."""
    out = []
    asked = (*scenario.floor, *(f for f in clock.focus if f not in scenario.floor))
    for f in asked:
        wall = clock.wall_between(f.start, f.end)
        if wall >= f.wall * (1 - SLACK):
            continue
        if f in scenario.floor:
            expected = math.floor(scenario.min_samples * wall / f.wall * 10) / 10  # not 19.99
            need = f"{expected:.1f} requests expected, at least {scenario.min_samples} needed"
        else:
            need = f"it asks for {f.wall:g} s"
        gets = f"gets {wall:.2f} s of a {clock.replay:g} s replay"
        out.append((f.line, f"{f.why} ({_span(clock, f.start, f.end)}) {gets}: {need}"))
    for s in scenario.spacing:
        every = fastest(clock, s.start, s.end) / s.rate  # scenario seconds between arrivals
        if s.threshold < SPACINGS * every:
            out.append(
                (
                    s.line,
                    f"{s.why} ({_span(clock, s.start, s.end)}) cannot tell a gap of "
                    f"{_hours(s.threshold)}: in its fastest stretch a request comes every "
                    f"{_hours(every)} of scenario time, and {SPACINGS} must fit the threshold",
                )
            )
    return out


def fastest(clock: Clock, start: float, end: float) -> float:
    """The most scenario seconds per wall second of any stretch of the clock in [start, end)."""
    rates = [
        (t1 - t0) / (w1 - w0)
        for (t0, w0), (t1, w1) in itertools.pairwise(clock.marks)
        if t1 > start and t0 < end and w1 > w0
    ]
    return max(rates, default=clock.factor)


def shortest_replay(scenario: Scenario) -> str:
    """The fix, in words: `--duration Ns` with the shortest replay that works."""
    seconds = shortest(scenario)
    return "longer than 10 days" if seconds is None else f"--duration {seconds}s"


def shortest(scenario: Scenario) -> int | None:
    """The shortest whole number of seconds at which every window can be judged (None:
    longer than ten days). Bisection: a longer replay never gives a window less."""

    def enough(replay: float) -> bool:
        return not _starved(scenario, scenario.clock.with_replay(replay))

    lo, hi = 0, max(math.ceil(scenario.clock.replay), 1)  # lo never enough, hi enough
    while not enough(hi):
        lo, hi = hi, hi * 2
        if hi > _LONGEST:
            return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if enough(mid) else (mid, hi)
    return hi


def _span(clock: Clock, start: float, end: float) -> str:
    return f"{clock.at(start):%a %d %b %H:%M} to {clock.at(end):%a %d %b %H:%M}"


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.3g} h" if seconds >= 3600 else f"{seconds / 60:.3g} min"
