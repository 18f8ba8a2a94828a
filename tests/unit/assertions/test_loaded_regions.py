"""`per: region` judges every region the run-start says a traffic class was loaded in: a
region that got not one request fails the check, it is not left out; and the live view (the
running checks) agrees with the full evaluation on it and on the newer metrics."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.assertions.evaluate import evaluate
from harness.assertions.running import RunningChecks
from harness.journal import Event, Request
from harness.load.config import planned_regions
from harness.model.scenario import load_scenario
from tests.unit.assertions.journals import SPAN, check, end, req, start

LOADED = {"callers-112": ["rotterdam", "utrecht", "zeeland"], "dispatchers": ["rotterdam"]}
SERVICES = {"meldkamer-rotterdam": "rotterdam", "meldkamer-utrecht": "utrecht"}
SCENARIOS = Path(__file__).resolve().parents[3] / "scenarios"


def test_the_plan_a_run_start_records_is_every_region_each_loaded_class_has_users_in() -> None:
    scenario = load_scenario(SCENARIOS / "gms-down.yaml")  # callers-112 and dispatchers
    regions = sorted(scenario.topology.regions)
    assert planned_regions(scenario) == {"callers-112": regions, "dispatchers": regions}


def journal(*requests: Request) -> list[Event]:
    return [start(regions=LOADED, service_regions=SERVICES), *requests, end()]


def test_a_loaded_region_without_a_single_request_fails_the_check() -> None:
    answered = [req(t, region=r) for t in range(0, 100, 10) for r in ("rotterdam", "utrecht")]
    [outcome] = evaluate([check("success_ratio", ">=", 0.99, per="region")], journal(*answered))
    zeeland = next(r for r in outcome.regions if r.region == "zeeland")
    assert (zeeland.observed, zeeland.samples, zeeland.passed) == (None, 0, False)
    assert zeeland.detail == "no requests of callers-112 at all in region zeeland"
    assert (outcome.passed, outcome.worst) == (False, "zeeland")
    assert "fails in 1 of 3 regions: zeeland" in outcome.detail


def test_min_requests_zero_does_not_excuse_a_region_the_load_never_reached() -> None:
    lenient = check("success_ratio", ">=", 0.5, per="region", min_requests=0)
    [outcome] = evaluate([lenient], journal(req(1, region="rotterdam"), req(2, region="utrecht")))
    assert not outcome.passed


def test_a_region_counted_by_requests_shows_zero_rather_than_nothing() -> None:
    [outcome] = evaluate([check("requests", ">=", 1, per="region")], journal(req(1)))
    assert {r.region: r.observed for r in outcome.regions} == {
        "rotterdam": 1.0,
        "utrecht": 0.0,
        "zeeland": 0.0,
    }


def test_the_regions_are_those_of_the_checked_class_only() -> None:
    dispatch = check("success_ratio", ">=", 0.9, traffic="dispatchers", per="region")
    [outcome] = evaluate([dispatch], journal(req(1, traffic="dispatchers")))
    assert [r.region for r in outcome.regions] == ["rotterdam"]
    assert outcome.passed


def test_a_journal_without_the_plan_judges_the_regions_it_shows() -> None:
    events = [start(), req(1, region="rotterdam"), end()]
    [outcome] = evaluate([check("success_ratio", ">=", 0.9, per="region")], events)
    assert [r.region for r in outcome.regions] == ["rotterdam"] and outcome.passed


CHECKS = (
    check("success_ratio", ">=", 0.9, per="region"),
    check("max_gap", "<=", 2.0, per="region", min_requests=0),
    check("requests", ">=", 1, per="region"),
    check("outage_spans", ">=", 2),
    check("outage_spans", "<=", 1, per="region"),
    check("answered_by_ratio", ">=", 0.5, answered_by="own"),
    check("answered_by_ratio", "<=", 0.5, answered_by="backup", per="region"),
)

requests = st.builds(
    lambda t, ok, region, by: req(t, ok, "callers-112", region, answered_by=by),
    st.floats(0.0, SPAN, allow_nan=False),
    st.booleans(),
    st.sampled_from([None, "rotterdam", "utrecht", "zeeland"]),
    st.sampled_from([None, *SERVICES]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(requests, max_size=12), max_size=6))
def test_the_running_view_agrees_with_a_full_evaluation(batches: list[list[Request]]) -> None:
    first = start(regions=LOADED, service_regions=SERVICES)
    running = RunningChecks(CHECKS, first)
    so_far: list[Event] = [first]
    running.feed([first])
    for batch in batches:
        running.feed(batch)
        so_far += batch
        full, live = evaluate(CHECKS, so_far), running.outcomes()
        for f, r in zip(full, live, strict=True):
            assert (r.observed, r.samples, r.passed) == (f.observed, f.samples, f.passed), f.name
