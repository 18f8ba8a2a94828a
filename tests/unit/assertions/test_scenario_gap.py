"""max_scenario_gap: the longest stretch of scenario time without a success. Under a piecewise
clock it differs from max_gap: a second of wall time in a quiet stretch is hours of the
incident, in a focus window minutes, and the scenario-time threshold means the same at any
compression."""

from __future__ import annotations

from harness.assertions.evaluate import evaluate
from harness.clock import interpolate
from harness.journal import Event, Request
from tests.unit.assertions.journals import SPAN, WALL0, check, end, start, window

# 0-1800 s of scenario time in 10 wall seconds (a focus window), 1800-3600 s in 2 (quiet)
MARKS = [[0.0, 0.0], [1800.0, 10.0], [SPAN, 12.0]]


def call(t: float, ok: bool = True) -> Request:
    wall = WALL0 + interpolate(tuple((a, b) for a, b in MARKS), t, 0)
    return Request(wall, t, "callers-112", ok, 0.05, "rotterdam")


def journal(*calls: Request) -> list[Event]:
    return [start(replay=12.0, marks=MARKS), *calls, end()]


def observed(metric: str, events: list[Event], threshold: float, **kw: object) -> float | None:
    (outcome,) = evaluate([check(metric, "<=", threshold, **kw)], events)
    return outcome.observed


def test_the_same_scenario_gap_is_long_in_wall_time_in_focus_and_short_when_quiet() -> None:
    # successes every 60 s of scenario time, but none for 600 s in each half
    focus = [call(t) for t in range(0, 1800, 60) if not 600 <= t < 1200]
    quiet = [call(t) for t in range(1800, 3600, 60) if not 2400 <= t < 3000]
    events = journal(*focus, *quiet)
    first = {"window": window(0.0, 1800.0)}
    second = {"window": window(1800.0, SPAN)}
    assert observed("max_scenario_gap", events, 900.0, **first) == 660.0
    assert observed("max_scenario_gap", events, 900.0, **second) == 660.0
    assert round(observed("max_gap", events, 5.0, **first) or 0, 3) == round(660 / 180, 3)
    assert round(observed("max_gap", events, 5.0, **second) or 0, 3) == round(660 / 900, 3)


def test_a_failed_call_does_not_close_a_gap() -> None:
    events = journal(call(0.0), call(1000.0, ok=False), call(2000.0), call(3590.0))
    (outcome,) = evaluate([check("max_scenario_gap", "<=", 1800.0)], events)
    assert (outcome.observed, outcome.passed) == (2000.0, False)
