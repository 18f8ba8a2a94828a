"""The search, with a verdict that needs no stack: a schedule fails when it takes police ICT
down (or slows it past the 300 ms the meldkamers wait) for 20 minutes or more."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.explore.bounds import Bounds, Range
from harness.explore.schedule import Schedule
from harness.explore.search import Search, StopSearch, Tried
from harness.explore.strategy import schedules

BOUNDS = Bounds(
    links=("*->office", "*->police-ict"),
    services=(),
    toxics=(("down", ()), ("latency", (Range("latency", 100, 2000),))),
    processes=(),
    earliest=0,
    latest=86400,
    shortest=600,
    longest=21600,
    grain=60,
    pace=600.0,
    replay=None,
    max_faults=3,
    overlap=True,
    flap_up=None,
    flap_down=None,
    assertions=(),
)


def breaks_112(schedule: Schedule) -> bool:
    return any(
        t.target == "*->police-ict"
        and t.length >= 1200
        and (t.kind == "down" or dict(t.attributes).get("latency", 0) >= 300)
        for t in schedule.trials
    )


class Runs:
    def __init__(self, stop_at: int | None = None) -> None:
        self.keys: list[str] = []
        self.stop_at = stop_at

    def __call__(self, number: int, schedule: Schedule) -> Tried:
        if number == self.stop_at:
            raise StopSearch(2)
        self.keys.append(schedule.key)
        failed = breaks_112(schedule)
        return Tried(number, schedule, failed, "112 broke" if failed else "passed", Path("x"), 0.0)


def search(tmp_path: Path, budget: int, seed: int = 3, **kwargs: object) -> Search:
    return Search(budget, None, tmp_path / "db", lambda _: None, seed, **kwargs)  # type: ignore[arg-type]


def test_a_failure_is_shrunk_to_the_one_fault_and_the_shortest_window_that_still_breaks(
    tmp_path: Path,
) -> None:
    s = search(tmp_path, budget=300)
    smallest = s.run(Runs(), schedules(BOUNDS))
    assert smallest is not None and smallest.failed
    first = s.failures[0]
    assert smallest.schedule.size < first.schedule.size
    (trial,) = smallest.schedule.trials
    assert (trial.target, trial.kind, trial.length, trial.start) == (
        "*->police-ict",
        "down",
        1200,
        0,
    )


def test_the_budget_bounds_the_runs_and_the_smallest_failure_run_is_kept(tmp_path: Path) -> None:
    runs = Runs()
    s = search(tmp_path, budget=6)
    smallest = s.run(runs, schedules(BOUNDS))
    assert len(runs.keys) <= 6 and "budget of 6 runs" in s.exhausted
    if smallest is not None:
        assert smallest.schedule.key in runs.keys and breaks_112(smallest.schedule)


def test_no_schedule_runs_twice(tmp_path: Path) -> None:
    runs = Runs()
    search(tmp_path, budget=60).run(runs, schedules(BOUNDS))
    assert len(runs.keys) == len(set(runs.keys))


def test_the_database_replays_the_known_failure_first(tmp_path: Path) -> None:
    found = search(tmp_path, budget=40).run(Runs(), schedules(BOUNDS))
    again = search(tmp_path, budget=1, seed=99)
    replayed = again.run(Runs(), schedules(BOUNDS))
    assert found is not None and replayed is not None
    assert again.tried[0].failed and replayed.schedule == found.schedule


def test_none_found_within_the_budget_returns_nothing(tmp_path: Path) -> None:
    harmless = Bounds(**{**BOUNDS.__dict__, "links": ("*->office",)})
    s = search(tmp_path, budget=8)
    assert s.run(Runs(), schedules(harmless)) is None
    assert 1 <= len(s.tried) <= 8 and not s.failures


def test_a_time_budget_too_short_for_one_run_runs_nothing(tmp_path: Path) -> None:
    s = Search(5, 1.0, tmp_path / "db", lambda _: None, 1, estimate=30.0)
    assert s.run(Runs(), schedules(BOUNDS)) is None
    assert s.tried == [] and "time budget" in s.exhausted


def test_a_stop_ends_the_search_at_once_with_what_was_run(tmp_path: Path) -> None:
    s = search(tmp_path, budget=20)
    with pytest.raises(StopSearch):
        s.run(Runs(stop_at=4), schedules(BOUNDS))
    assert len(s.tried) == 3


def test_the_same_seed_searches_the_same_schedules(tmp_path: Path) -> None:
    one, two = Runs(), Runs()
    search(tmp_path / "a", budget=10, seed=7).run(one, schedules(BOUNDS))
    search(tmp_path / "b", budget=10, seed=7).run(two, schedules(BOUNDS))
    assert one.keys == two.keys
