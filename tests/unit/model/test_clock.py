"""The piecewise clock: quiet stretches fast, focus windows slow, one monotone map."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from harness.clock import Clock, Focus, interpolate, plan

START = datetime(2020, 9, 15)
SPAN = 66 * 3600.0  # the September incident


def clock(replay: float, *focus: Focus) -> Clock:
    return Clock(START, START + timedelta(seconds=SPAN), replay, focus)


WEDNESDAY = Focus(33 * 3600.0, 33.5 * 3600.0, 2.5, "0900 down on Wednesday morning")


def test_without_focus_the_clock_runs_at_one_rate() -> None:
    c = clock(90.0)
    assert c.marks == ((0.0, 0.0), (SPAN, 90.0))
    assert c.to_wall(SPAN / 2) == 45.0
    assert c.to_scenario(30.0) == SPAN / 3


def test_a_focus_window_gets_its_seconds_and_the_quiet_rest_shares_the_remainder() -> None:
    c = clock(30.0, WEDNESDAY)
    assert math.isclose(c.wall_between(WEDNESDAY.start, WEDNESDAY.end), 2.5)
    assert math.isclose(c.to_wall(SPAN), 30.0)
    quiet = (30.0 - 2.5) / (SPAN - 1800.0)  # wall seconds per scenario second elsewhere
    assert math.isclose(c.wall_between(0.0, 3600.0), 3600.0 * quiet)
    assert c.shortfalls() == []


def test_a_window_the_linear_clock_already_serves_is_left_alone() -> None:
    roomy = Focus(0.0, SPAN / 2, 10.0, "half the run")
    assert clock(90.0, roomy).marks == ((0.0, 0.0), (SPAN / 2, 45.0), (SPAN, 90.0))


def test_a_short_window_inside_a_long_one_is_pinned_first_and_both_are_served() -> None:
    incident = Focus(8 * 3600.0, 64.5 * 3600.0, 20.0, "the whole incident")
    c = clock(30.0, incident, WEDNESDAY)
    assert c.wall_between(WEDNESDAY.start, WEDNESDAY.end) >= 2.5 - 1e-9
    assert c.wall_between(incident.start, incident.end) >= 20.0 - 1e-9
    assert c.shortfalls() == []


def test_windows_that_want_more_than_the_replay_fall_short_and_say_so() -> None:
    thursday = Focus(59.5 * 3600.0, 64.5 * 3600.0, 5.0, "Thursday")
    c = clock(6.0, WEDNESDAY, thursday)
    assert math.isclose(c.to_wall(SPAN), 6.0)  # the replay keeps its length
    assert {f.why for f, _ in c.shortfalls()} == {WEDNESDAY.why, "Thursday"}


def test_a_shorter_replay_keeps_the_focus_windows() -> None:
    c = clock(90.0, WEDNESDAY).with_replay(30.0)
    assert c.focus == (WEDNESDAY,)
    assert math.isclose(c.wall_between(WEDNESDAY.start, WEDNESDAY.end), 2.5)


windows = st.tuples(
    st.floats(0.0, SPAN - 60.0), st.floats(60.0, SPAN / 4), st.floats(0.01, 5.0)
).map(lambda x: Focus(x[0], min(x[0] + x[1], SPAN), x[2]))


@given(st.lists(windows, max_size=6), st.floats(1.0, 200.0))
def test_the_marks_run_from_start_to_end_and_never_go_back(
    focus: list[Focus], replay: float
) -> None:
    marks = plan(SPAN, replay, tuple(focus))
    assert marks[0] == (0.0, 0.0)
    assert marks[-1][0] == SPAN and math.isclose(marks[-1][1], replay)
    assert all(b[0] > a[0] and b[1] > a[1] for a, b in itertools.pairwise(marks))


@given(st.lists(windows, max_size=6), st.floats(0.0, SPAN))
def test_wall_and_scenario_time_are_inverse(focus: list[Focus], t: float) -> None:
    marks = plan(SPAN, 60.0, tuple(focus))
    wall = interpolate(marks, t, 0)
    assert math.isclose(interpolate(marks, wall, 1), t, rel_tol=1e-6, abs_tol=1e-3)


@given(st.lists(windows, min_size=1, max_size=6))
def test_when_the_asks_fit_twice_over_every_window_gets_its_seconds(focus: list[Focus]) -> None:
    replay = 2 * sum(f.wall for f in focus) + 1.0
    assert clock(replay, *focus).shortfalls() == []
