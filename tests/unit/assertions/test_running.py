"""Running checks (the live panel): updated from new events only, they agree with a full
evaluation of the journal so far after every batch, whatever order the requests arrive in."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.assertions.evaluate import evaluate
from harness.assertions.running import RunningChecks
from harness.journal import Event, Halt, Request
from tests.unit.assertions.journals import SPAN, check, end, incidents, req, start, wall, window

CHECKS = (
    check("success_ratio", ">=", 0.9),
    check("success_ratio", ">=", 0.9, per="region"),
    check("success_ratio", ">=", 0.5, region="utrecht", min_requests=3),
    check("latency", "<=", 0.2, percentile=95.0),
    check("latency", "<=", 0.2, per="region", window=window(600.0, 1800.0)),
    check("max_gap", "<=", 2.0),
    check("max_gap", "<=", 2.0, per="region", window=window(900.0, 2700.0)),
    check("max_gap", "<=", 1.0, window=window(3000.0, 4000.0), min_requests=0),
    check("max_scenario_gap", "<=", 120.0),
    check("outage_spans", "<=", 2, traffic="dispatchers", via="console"),
    check("max_scenario_gap", "<=", 60.0, per="region", window=window(900.0, 2700.0)),
    check("requests", ">=", 5, traffic=None),
    check("via_ratio", ">=", 0.5, traffic="dispatchers", via="console"),
    check("incidents_reconciled", ">=", 1.0),
    check("incidents_reconciled", ">=", 1.0, per="region", min_requests=0),
    check("no_such_metric", ">=", 1.0),
)

requests = st.builds(
    lambda t, ok, traffic, region, latency, via, n: req(
        t, ok, traffic, region, latency, via=via, call_id=f"call-{n}"
    ),
    st.floats(0.0, SPAN, allow_nan=False),
    st.booleans(),
    st.sampled_from(["callers-112", "dispatchers"]),
    st.sampled_from([None, "rotterdam", "utrecht"]),
    st.floats(0.001, 1.0),
    st.sampled_from([None, "console", "radio-sets"]),
    st.integers(0, 20),
)


def agree(running: RunningChecks, so_far: list[Event]) -> None:
    full = evaluate(CHECKS, so_far)
    live = running.outcomes()
    for f, r in zip(full, live, strict=True):
        assert (r.check.name, r.observed, r.samples, r.passed) == (
            f.name,
            f.observed,
            f.samples,
            f.passed,
        )


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(requests, max_size=12), max_size=6))
def test_after_every_batch_the_running_view_equals_a_full_evaluation(
    batches: list[list[Request]],
) -> None:
    first = start()
    running = RunningChecks(CHECKS, first)
    so_far: list[Event] = [first]
    running.feed([first])
    agree(running, so_far)
    for batch in batches:
        running.feed(batch)
        so_far += batch
        agree(running, so_far)


@settings(max_examples=50, deadline=None)
@given(st.lists(requests, max_size=30), st.floats(0.0, SPAN))
def test_a_halt_a_run_end_and_incidents_count_as_in_the_full_evaluation(
    batch: list[Request], halt_t: float
) -> None:
    first = start()
    counts = {r.call_id: 1 for r in batch[::2] if r.call_id}
    tail: list[Event] = [Halt(wall(halt_t), halt_t, "stop", 0.5), incidents(counts), end()]
    running = RunningChecks(CHECKS, first)
    running.feed([first, *batch, *tail])
    agree(running, [first, *batch, *tail])


def test_a_gap_closed_by_a_late_success_is_no_longer_the_widest() -> None:
    first = start()
    gap = check("max_gap", "<=", 5.0)
    running = RunningChecks([gap], first)
    running.feed([first, req(0.0), req(3000.0), req(SPAN)])
    wide = running.outcomes()[0].observed
    running.feed([req(1500.0)])  # a slow success that started in the middle of the gap
    (narrow,) = running.outcomes()
    assert wide is not None and narrow.observed is not None
    assert narrow.observed < wide
    assert (
        narrow.observed
        == evaluate([gap], [first, *[req(t) for t in (0, 3000, SPAN, 1500)]])[0].observed
    )
