"""Rules of the schedule that hold for every flap, window and seed (hypothesis)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.model.effects import Effect
from harness.model.scenario import Fault, Flap, ProcessAction, Ramp, Steady, ToxicAction
from harness.schedule import Schedule
from tests.unit.schedule.scenarios import LINKS, SERVICES, fault, scenario

SPAN = 1000.0
EPS = 1e-9


@st.composite
def ranges(draw: st.DrawFn) -> tuple[float, float]:
    low = draw(st.floats(0.5, 50.0))
    return (low, low + draw(st.floats(0.0, 100.0)))


@st.composite
def windows(draw: st.DrawFn) -> tuple[float, float]:
    start = draw(st.floats(0.0, SPAN - 1.0))
    return (start, draw(st.floats(start + 0.5, SPAN)))


flaps = st.builds(Flap, ranges(), ranges(), st.sampled_from(["up", "down"]), st.booleans())


@st.composite
def faults(draw: st.DrawFn, index: int) -> Fault:
    name = f"f{index}"
    kind = draw(st.sampled_from(["down", "latency", "restart"]))
    window = draw(windows())
    if kind == "latency":
        action = ToxicAction("latency", (("jitter", 0), ("latency", 100)))
        pattern = draw(
            st.one_of(
                st.just(Steady()),
                flaps,
                st.builds(
                    Ramp,
                    st.just("latency"),
                    st.floats(0, 5000),
                    st.floats(0, 5000),
                    st.integers(1, 20),
                ),
            )
        )
        links = tuple(draw(st.lists(st.sampled_from(LINKS), min_size=1, max_size=3, unique=True)))
        return fault(name, action, pattern, window, links=links)
    if kind == "restart":
        services = tuple(
            draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=2, unique=True))
        )
        return fault(
            name,
            ProcessAction("restart"),
            draw(st.one_of(st.just(Steady()), flaps)),
            window,
            services=services,
        )
    links = tuple(draw(st.lists(st.sampled_from(LINKS), min_size=1, max_size=3, unique=True)))
    return fault(
        name, ToxicAction("down"), draw(st.one_of(st.just(Steady()), flaps)), window, links=links
    )


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    n = draw(st.integers(1, 4))
    return Schedule(
        scenario(*(draw(faults(i)) for i in range(n)), span=SPAN, seed=draw(st.integers(0, 2**32)))
    )


def phases(
    spans: list[tuple[float, float]], window: tuple[float, float]
) -> list[tuple[str, float, float]]:
    """The flap's up and down periods, rebuilt from its on-spans."""
    out: list[tuple[str, float, float]] = []
    t = window[0]
    for start, end in spans:
        if start > t:
            out.append(("up", t, start))
        out.append(("down", start, end))
        t = end
    if t < window[1]:
        out.append(("up", t, window[1]))
    return out


@settings(max_examples=200, deadline=None)
@given(flap=flaps, window=windows(), seed=st.integers(0, 2**64))
def test_flap_periods_alternate_within_their_ranges_and_the_window(
    flap: Flap, window: tuple[float, float], seed: int
) -> None:
    s = Schedule(scenario(fault(pattern=flap, window=window), span=SPAN, seed=seed))
    spans = sorted((iv.start, iv.end) for iv in s.intervals())
    assert all(window[0] <= start < end <= window[1] for start, end in spans)
    periods = phases(spans, window)
    assert periods[0][0] == flap.first
    assert all(a[0] != b[0] for a, b in itertools.pairwise(periods))
    for i, (phase, start, end) in enumerate(periods):
        low, high = flap.up if phase == "up" else flap.down
        assert end - start <= high + EPS
        if i < len(periods) - 1:  # only the last period may be cut short by the window's end
            assert end - start >= low - EPS * max(1.0, end)


@settings(max_examples=150, deadline=None)
@given(schedule=schedules(), probes=st.lists(st.floats(-10.0, SPAN + 10.0), max_size=20))
def test_desired_at_t_is_the_replay_of_the_transitions_up_to_t(
    schedule: Schedule, probes: list[float]
) -> None:
    transitions = schedule.transitions()
    times = [tr.t for tr in transitions] + probes
    for t in times:
        active: set[Effect] = set()
        for tr in transitions:
            if tr.t > t:
                break
            if tr.on:
                active.add(tr.effect)
            else:
                active.discard(tr.effect)
        assert schedule.desired(t) == active


@settings(max_examples=150, deadline=None)
@given(schedule=schedules())
def test_nothing_is_active_at_or_after_the_clock_end(schedule: Schedule) -> None:
    assert schedule.desired(SPAN) == frozenset()
    assert all(tr.t <= SPAN and (tr.t < SPAN or not tr.on) for tr in schedule.transitions())
    assert schedule.next_change(SPAN) is None


@settings(max_examples=150, deadline=None)
@given(schedule=schedules())
def test_transitions_are_sorted_and_every_on_has_its_off(schedule: Schedule) -> None:
    transitions = schedule.transitions()
    assert [tr.t for tr in transitions] == sorted(tr.t for tr in transitions)
    ons = sorted((tr.effect.key, repr(tr.effect)) for tr in transitions if tr.on)
    offs = sorted((tr.effect.key, repr(tr.effect)) for tr in transitions if not tr.on)
    assert ons == offs
