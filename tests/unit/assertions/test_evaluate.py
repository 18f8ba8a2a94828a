"""Checks judged against hand-made journals: selections, edge cases, per-region verdicts."""

from __future__ import annotations

import pytest

from harness.assertions import evaluate
from harness.assertions.evaluate import Outcome
from harness.journal import Event
from harness.model.scenario import Check
from tests.unit.assertions.journals import (
    FACTOR,
    SPAN,
    check,
    end,
    incidents,
    req,
    run,
    start,
    window,
)

REGIONS = ("noord-holland", "oost-brabant", "rotterdam")


def one(c: Check, events: list[Event]) -> Outcome:
    (outcome,) = evaluate([c], events)
    return outcome


class TestNoRequests:
    def test_fail_the_check_with_a_reason(self) -> None:
        outcome = one(check(), run())
        assert outcome.observed is None
        assert not outcome.passed
        assert "no requests of callers-112" in outcome.detail

    def test_pass_when_min_requests_is_zero(self) -> None:
        outcome = one(check(min_requests=0), run())
        assert outcome.observed is None
        assert outcome.passed

    def test_of_another_traffic_class_do_not_count(self) -> None:
        assert one(check(), run(req(10, traffic="callers-0900"))).observed is None


class TestSelection:
    def test_a_window_selects_requests_by_scenario_time(self) -> None:
        events = run(req(100, ok=False), req(1000), req(1100), req(3000, ok=False))
        outcome = one(check(window=window(900, 2000)), events)
        assert outcome.observed == 1.0
        assert outcome.passed

    def test_a_window_with_nothing_inside_fails_and_says_when(self) -> None:
        outcome = one(check(window=window(900, 2000)), run(req(100), req(3000)))
        assert not outcome.passed
        assert "from 2020-09-15 00:15 to 2020-09-15 00:33" in outcome.detail

    def test_a_region_selects_only_its_requests(self) -> None:
        events = run(req(1, region="rotterdam"), req(2, ok=False, region="oost-brabant"))
        assert one(check(region="rotterdam"), events).observed == 1.0

    def test_too_few_requests_fail_even_when_the_value_holds(self) -> None:
        outcome = one(check(min_requests=3), run(req(1), req(2)))
        assert outcome.observed == 1.0
        assert not outcome.passed
        assert "only 2 requests" in outcome.detail


class TestSuccessRatio:
    def test_fails_when_all_requests_fail(self) -> None:
        outcome = one(check(), run(req(1, ok=False), req(2, ok=False)))
        assert outcome.observed == 0.0
        assert not outcome.passed

    def test_an_upper_bound_proves_an_outage_was_reproduced(self) -> None:
        events = run(*(req(t, ok=t % 4 == 0) for t in range(100)))
        outcome = one(check(op="<=", threshold=0.5), events)
        assert outcome.observed == 0.25
        assert outcome.passed


class TestLatency:
    def test_is_a_percentile_in_seconds_of_successes(self) -> None:
        events = run(
            *(req(t, latency=t / 1000) for t in range(1, 101)), req(200, ok=False, latency=5)
        )
        outcome = one(check("latency", "<=", 0.1, percentile=95), events)
        assert outcome.observed == pytest.approx(0.095)
        assert outcome.passed

    def test_fails_when_nothing_succeeded(self) -> None:
        outcome = one(check("latency", "<=", 1.0, percentile=95), run(req(1, ok=False)))
        assert outcome.observed is None
        assert not outcome.passed
        assert "no successful requests" in outcome.detail


class TestMaxGap:
    def test_is_measured_in_wall_seconds(self) -> None:
        # successes every 60 scenario seconds (1 wall second), none for 600 (10 wall seconds)
        times = [*range(0, 1201, 60), *range(1800, 3601, 60)]
        outcome = one(check("max_gap", "<=", 2.0), run(*(req(t) for t in times)))
        assert outcome.observed == pytest.approx(600 / FACTOR)
        assert not outcome.passed

    def test_counts_the_stretch_before_the_first_success(self) -> None:
        events = run(req(60, ok=False), *(req(t) for t in range(600, 3601, 60)))
        assert one(check("max_gap", "<=", 2.0), events).observed == pytest.approx(600 / FACTOR)

    def test_counts_the_stretch_after_the_last_success(self) -> None:
        events = run(*(req(t) for t in range(0, 2401, 60)), req(3000, ok=False))
        assert one(check("max_gap", "<=", 2.0), events).observed == pytest.approx(1200 / FACTOR)

    def test_of_a_window_is_bounded_by_the_window(self) -> None:
        events = run(req(0), req(1200), req(1500), req(3600))
        outcome = one(check("max_gap", "<=", 2.0, window=window(1200, 1800)), events)
        assert outcome.observed == pytest.approx(300 / FACTOR)

    def test_stops_where_a_halted_run_stopped(self) -> None:
        events = [start(), *(req(t) for t in range(0, 1201, 60)), end(1260, "halted")]
        assert one(check("max_gap", "<=", 2.0), events).observed == pytest.approx(1.0)

    def test_of_one_failing_request_is_the_whole_run(self) -> None:
        outcome = one(check("max_gap", "<=", 2.0), run(req(100, ok=False)))
        assert outcome.observed == pytest.approx(SPAN / FACTOR)


class TestIncidentsReconciled:
    def calls(self) -> list[Event]:
        return [req(1, call_id="a"), req(2, call_id="b"), req(3, ok=False, call_id="c")]

    def test_holds_when_every_answered_call_has_one_incident(self) -> None:
        outcome = one(
            check("incidents_reconciled", "==", 1.0),
            run(*self.calls(), incidents({"a": 1, "b": 1})),
        )
        assert outcome.observed == 1.0
        assert outcome.passed

    def test_reports_lost_and_duplicated_incidents(self) -> None:
        events = run(*self.calls(), incidents({"a": 2}))
        outcome = one(check("incidents_reconciled", "==", 1.0), events)
        assert outcome.observed == 0.0
        assert not outcome.passed
        assert outcome.detail == "1 lost, 1 duplicated"

    def test_fails_without_an_incidents_event(self) -> None:
        outcome = one(check("incidents_reconciled", "==", 1.0, min_requests=0), run(*self.calls()))
        assert not outcome.passed
        assert "no incidents reconciliation" in outcome.detail

    def test_fails_while_incidents_are_still_buffered(self) -> None:
        events = run(*self.calls(), incidents({"a": 1, "b": 1}, pending=2))
        outcome = one(check("incidents_reconciled", "==", 1.0), events)
        assert outcome.observed == 1.0
        assert not outcome.passed
        assert "2 incidents still buffered" in outcome.detail

    def test_looks_at_112_calls_only(self) -> None:
        events = run(
            *self.calls(), req(4, traffic="callers-0900", call_id="z"), incidents({"a": 1, "b": 1})
        )
        assert one(check("incidents_reconciled", "==", 1.0), events).passed


class TestViaRatioAndRequests:
    def test_via_ratio_compares_the_share_of_fallback_dispatches(self) -> None:
        events = run(
            req(1, traffic="dispatchers", via="radio-sets"),
            req(2, traffic="dispatchers", via="console"),
        )
        outcome = one(
            check("via_ratio", ">=", 0.5, traffic="dispatchers", via="radio-sets"), events
        )
        assert outcome.observed == 0.5
        assert outcome.passed

    def test_requests_counts_and_ignores_min_requests(self) -> None:
        outcome = one(check("requests", "==", 0.0, traffic="office-users", min_requests=5), run())
        assert outcome.observed == 0.0
        assert outcome.passed


class TestPerRegion:
    def journal(self, bad: dict[str, int]) -> list[Event]:
        """Ten calls per region, the first `bad[region]` of them failing."""
        return run(
            *(
                req(t, ok=t >= bad.get(region, 0), region=region)
                for region in REGIONS
                for t in range(10)
            )
        )

    def test_holds_only_if_every_region_holds(self) -> None:
        outcome = one(check(per="region", threshold=0.9), self.journal({"rotterdam": 2}))
        assert not outcome.passed
        assert [(r.region, r.passed) for r in outcome.regions] == [
            ("noord-holland", True),
            ("oost-brabant", True),
            ("rotterdam", False),
        ]
        assert outcome.detail == "fails in 1 of 3 regions: rotterdam"

    def test_reports_the_worst_region(self) -> None:
        outcome = one(
            check(per="region", threshold=0.5), self.journal({"oost-brabant": 3, "rotterdam": 1})
        )
        assert outcome.passed
        assert outcome.worst == "oost-brabant"
        assert outcome.observed == pytest.approx(0.7)
        assert outcome.detail == "holds in all 3 regions"

    def test_worst_of_an_upper_bound_is_the_highest_value(self) -> None:
        outcome = one(check(op="<=", per="region", threshold=0.95), self.journal({"rotterdam": 1}))
        assert outcome.worst != "rotterdam"
        assert outcome.observed == 1.0

    def test_a_region_without_requests_in_the_window_fails(self) -> None:
        events = run(req(10, region="rotterdam"), req(2000, region="oost-brabant"))
        outcome = one(check(per="region", window=window(0, 1000)), events)
        assert not outcome.passed
        assert outcome.worst == "oost-brabant"
        assert outcome.observed is None

    def test_fails_when_no_request_names_a_region(self) -> None:
        outcome = one(check(per="region"), run(req(1, region=None)))
        assert not outcome.passed
        assert "name a region" in outcome.detail


def test_outcomes_come_in_the_order_of_the_checks() -> None:
    checks = [check(name="first"), check("requests", ">=", 1, name="second")]
    assert [o.name for o in evaluate(checks, run(req(1)))] == ["first", "second"]
