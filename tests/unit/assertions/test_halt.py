"""Halt conditions over sliding wall-time windows, fed as the journal grows."""

from __future__ import annotations

from harness.assertions import HaltWatcher
from harness.journal import Request
from harness.model.scenario import Check
from tests.unit.assertions.journals import FACTOR, WALL0, check, start


def at(wall: float, ok: bool = True, region: str = "rotterdam", latency: float = 0.05) -> Request:
    t = (wall - WALL0) * FACTOR
    return Request(wall, t, "callers-112", ok, latency, region)


def ratio_halt(**kw: object) -> Check:
    return check(op="<", threshold=0.9, halt_window=5.0, name="112 keeps answering", **kw)  # type: ignore[arg-type]


def stream(watcher: HaltWatcher, seconds: float, ok: object, rate: int = 100, t0: float = WALL0):
    """Feed `rate` requests per wall second every 100 ms; `ok(wall)` says which succeed.
    Returns the first Halt and the wall time it came at."""
    per_tick = rate // 10
    for tick in range(int(seconds * 10)):
        now = t0 + (tick + 1) / 10
        batch = [at(now - 0.1 + i * 0.1 / per_tick, ok=ok(now)) for i in range(per_tick)]  # type: ignore[operator]
        if (halt := watcher.feed(batch, now)) is not None:
            return halt, now
    return None, None


def test_trips_when_the_window_falls_below_the_threshold() -> None:
    watcher = HaltWatcher([ratio_halt()])
    watcher.feed([start()], WALL0)
    halt, when = stream(watcher, 20, ok=lambda now: now < WALL0 + 10)
    assert halt is not None and when is not None
    assert halt.check == "112 keeps answering"
    assert halt.observed < 0.9
    # 10% of a 5 s window failing takes half a second of failures
    assert WALL0 + 10.4 <= when <= WALL0 + 10.7
    assert halt.wall == when
    assert halt.t == (when - WALL0) * FACTOR


def test_holds_on_healthy_load() -> None:
    watcher = HaltWatcher([ratio_halt()])
    halt, _ = stream(watcher, 30, ok=lambda now: True)
    assert halt is None


def test_waits_for_a_complete_first_window() -> None:
    watcher = HaltWatcher([ratio_halt()])
    watcher.feed([start()], WALL0)
    halt, when = stream(watcher, 10, ok=lambda now: False)
    assert halt is not None
    assert when == WALL0 + 5.0  # everything failed from the start, yet it waited one window


def test_needs_min_requests_samples() -> None:
    watcher = HaltWatcher([ratio_halt(min_requests=100)])
    watcher.feed([start()], WALL0)
    assert stream(watcher, 20, ok=lambda now: False, rate=10) == (None, None)  # 50 in a window


def test_forgets_failures_older_than_the_window() -> None:
    watcher = HaltWatcher([ratio_halt(min_requests=1)])
    watcher.feed([start()], WALL0)
    watcher.feed([at(WALL0 + 0.5, ok=False), at(WALL0 + 0.6, ok=False)], WALL0 + 0.6)
    later = [at(WALL0 + 6 + i / 10) for i in range(10)]
    assert watcher.feed(later, WALL0 + 7.0) is None


def test_an_empty_window_trips_no_ratio_or_gap_halt() -> None:
    watcher = HaltWatcher([ratio_halt(), check("max_gap", ">", 1.0, halt_window=5.0)])
    watcher.feed([start()], WALL0)
    assert watcher.feed([], WALL0 + 60) is None


def test_a_gap_without_successes_trips_a_max_gap_halt() -> None:
    watcher = HaltWatcher([check("max_gap", ">", 2.0, halt_window=5.0, name="gap")])
    watcher.feed([start()], WALL0)
    halt, when = stream(watcher, 20, ok=lambda now: now < WALL0 + 8)
    assert halt is not None and when is not None
    assert halt.check == "gap"
    assert 2.0 < halt.observed <= 2.2
    # the last success came just before WALL0 + 7.9: two seconds later the gap is too long
    assert WALL0 + 9.85 < when < WALL0 + 10.0


def test_per_region_trips_on_one_bad_region() -> None:
    watcher = HaltWatcher([ratio_halt(per="region")])
    watcher.feed([start()], WALL0)
    good = [at(WALL0 + 5 + i / 100, region="oost-brabant") for i in range(90)]
    bad = [at(WALL0 + 5 + i / 100, ok=False, region="rotterdam") for i in range(10)]
    halt = watcher.feed([*good, *bad], WALL0 + 6)
    assert halt is not None
    assert halt.observed == 0.0


def test_without_per_region_the_same_load_holds() -> None:
    watcher = HaltWatcher([ratio_halt()])
    watcher.feed([start()], WALL0)
    good = [at(WALL0 + 5 + i / 100, region="oost-brabant") for i in range(90)]
    bad = [at(WALL0 + 5 + i / 100, ok=False, region="rotterdam") for i in range(10)]
    assert watcher.feed([*good, *bad], WALL0 + 6) is None


def test_reports_a_halt_only_once() -> None:
    watcher = HaltWatcher([ratio_halt()])
    watcher.feed([start()], WALL0)
    fails = [at(WALL0 + 5 + i / 10, ok=False) for i in range(10)]
    first = watcher.feed(fails, WALL0 + 6)
    assert first is not None
    assert watcher.feed(fails, WALL0 + 6.1) is None
    assert watcher.tripped == first


def test_latency_halt_uses_the_percentile_of_the_window() -> None:
    watcher = HaltWatcher([check("latency", ">", 0.5, percentile=95, halt_window=5.0)])
    watcher.feed([start()], WALL0)
    slow = [at(WALL0 + 5 + i / 100, latency=2.0 if i % 10 == 0 else 0.1) for i in range(100)]
    halt = watcher.feed(slow, WALL0 + 6)
    assert halt is not None
    assert halt.observed == 2.0


def test_a_requests_halt_trips_when_the_load_stops() -> None:
    watcher = HaltWatcher([check("requests", "<", 10, halt_window=5.0, name="load alive")])
    watcher.feed([start()], WALL0)
    assert stream(watcher, 20, ok=lambda now: True, rate=100) == (None, None)
    stopped = watcher.feed([], WALL0 + 20 + 5.0)
    assert stopped is not None
    assert (stopped.check, stopped.observed) == ("load alive", 0.0)
