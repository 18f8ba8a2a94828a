"""Each metric on hand-made requests, its edge cases, and the invariants that hold for all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.assertions import metrics
from tests.unit.assertions.journals import incidents, req

walls = st.lists(st.floats(0, 100, allow_nan=False), max_size=50)
outcomes = st.lists(st.tuples(st.booleans(), st.floats(0, 10, allow_nan=False)), max_size=50)


def requests_from(pairs: list[tuple[bool, float]]) -> list:
    return [req(i, ok=ok, latency=lat) for i, (ok, lat) in enumerate(pairs)]


class TestSuccessRatio:
    def test_is_successes_over_all_requests(self) -> None:
        assert metrics.success_ratio([req(1), req(2), req(3, ok=False), req(4)]) == 0.75

    def test_is_none_without_requests(self) -> None:
        assert metrics.success_ratio([]) is None

    def test_is_zero_when_all_fail(self) -> None:
        assert metrics.success_ratio([req(1, ok=False), req(2, ok=False)]) == 0.0

    def test_of_one_request_is_that_request(self) -> None:
        assert metrics.success_ratio([req(1)]) == 1.0

    @given(outcomes)
    def test_stays_between_zero_and_one(self, pairs: list[tuple[bool, float]]) -> None:
        ratio = metrics.success_ratio(requests_from(pairs))
        assert ratio is None if not pairs else 0.0 <= ratio <= 1.0


class TestLatency:
    def test_is_the_nearest_rank_percentile_of_successes(self) -> None:
        rs = [req(i, latency=i / 100) for i in range(1, 101)]  # 0.01 .. 1.00 s
        assert metrics.latency(rs, 50) == 0.50
        assert metrics.latency(rs, 95) == 0.95
        assert metrics.latency(rs, 100) == 1.00

    def test_ignores_failed_requests(self) -> None:
        rs = [req(1, latency=0.1), req(2, ok=False, latency=9.0), req(3, ok=False, latency=8.0)]
        assert metrics.latency(rs, 99) == 0.1

    def test_of_one_request_is_its_latency(self) -> None:
        assert metrics.latency([req(1, latency=0.25)], 95) == 0.25

    def test_is_none_when_nothing_succeeded(self) -> None:
        assert metrics.latency([req(1, ok=False)], 50) is None
        assert metrics.latency([], 50) is None

    @given(outcomes, st.floats(0.1, 100), st.floats(0.1, 100))
    def test_is_an_observed_latency_and_grows_with_the_percentile(
        self, pairs: list[tuple[bool, float]], p: float, q: float
    ) -> None:
        rs = requests_from(pairs)
        low, high = metrics.latency(rs, min(p, q)), metrics.latency(rs, max(p, q))
        if not any(ok for ok, _ in pairs):
            assert low is None and high is None
            return
        assert low is not None and high is not None
        assert low in {lat for ok, lat in pairs if ok}
        assert low <= high


class TestMaxGap:
    def test_is_the_longest_stretch_between_successes(self) -> None:
        assert metrics.max_gap([1, 2, 7, 8], start=0, end=10) == 5

    def test_counts_a_gap_at_the_very_start(self) -> None:
        assert metrics.max_gap([6, 7, 8], start=0, end=10) == 6

    def test_counts_a_gap_at_the_very_end(self) -> None:
        assert metrics.max_gap([1, 2, 3], start=0, end=10) == 7

    def test_is_the_whole_window_without_successes(self) -> None:
        assert metrics.max_gap([], start=2, end=12) == 10

    def test_of_one_success_is_the_longer_side(self) -> None:
        assert metrics.max_gap([3], start=0, end=10) == 7

    def test_of_an_empty_window_is_zero(self) -> None:
        assert metrics.max_gap([5], start=10, end=10) == 0

    def test_clamps_successes_outside_the_window(self) -> None:
        assert metrics.max_gap([-5, 4, 50], start=0, end=10) == 6

    @given(walls, st.floats(0, 100), st.floats(0, 100))
    def test_never_exceeds_the_window(self, ws: list[float], a: float, b: float) -> None:
        start, end = min(a, b), max(a, b)
        assert 0 <= metrics.max_gap(ws, start, end) <= end - start

    @given(walls, st.floats(0, 100))
    def test_adding_a_success_never_increases_it(self, ws: list[float], extra: float) -> None:
        assert metrics.max_gap([*ws, extra], 0, 100) <= metrics.max_gap(ws, 0, 100)


class TestIncidentsReconciled:
    def test_is_one_when_every_call_has_exactly_one_incident(self) -> None:
        assert metrics.incidents_reconciled(["a", "b"], incidents({"a": 1, "b": 1})) == 1.0

    def test_counts_lost_and_duplicated_incidents_as_failures(self) -> None:
        counts = incidents({"a": 1, "b": 2, "d": 1})  # c lost, b duplicated
        assert metrics.incidents_reconciled(["a", "b", "c", "d"], counts) == 0.5

    def test_counts_each_call_id_once(self) -> None:
        assert metrics.incidents_reconciled(["a", "a", "b"], incidents({"a": 1})) == 0.5

    def test_is_none_without_answered_calls(self) -> None:
        assert metrics.incidents_reconciled([], incidents({"a": 1})) is None


class TestViaRatio:
    def test_is_the_share_of_successful_dispatches_via_the_given_path(self) -> None:
        rs = [
            req(1, traffic="dispatchers", via="console"),
            req(2, traffic="dispatchers", via="radio-sets"),
            req(3, traffic="dispatchers", via="radio-sets"),
            req(4, traffic="dispatchers", ok=False),
        ]
        assert metrics.via_ratio(rs, "radio-sets") == pytest.approx(2 / 3)

    def test_is_none_without_successful_dispatches(self) -> None:
        assert metrics.via_ratio([req(1, ok=False)], "console") is None


def test_request_count_counts_failures_too() -> None:
    assert metrics.request_count([req(1), req(2, ok=False)]) == 2
