"""outage_spans: how many separate outages a traffic class saw. One long outage is one span,
so it cannot pass for flapping; an outage that comes and goes is one span per coming."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from harness.assertions import metrics
from harness.assertions.evaluate import evaluate
from tests.unit.assertions.journals import check, req, run, window

oks = st.lists(st.booleans(), max_size=60)


def spans(pattern: str) -> int | None:
    """`pattern` in time order: `.` a success, `x` a failure."""
    return metrics.outage_spans([req(i, ok=c == ".") for i, c in enumerate(pattern)])


def test_one_long_outage_is_one_span() -> None:
    assert spans("....xxxxxxxxxxxx....") == 1


def test_an_outage_that_comes_and_goes_is_one_span_each_time() -> None:
    assert spans("..xx...x....xxx..") == 3


def test_every_run_of_failures_counts_even_a_single_stray_one() -> None:
    assert spans("x.x.x") == 3


def test_no_failure_is_no_span_and_no_request_is_nothing_to_observe() -> None:
    assert spans("....") == 0
    assert spans("") is None


def test_requests_are_taken_in_wall_time_order_not_journal_order() -> None:
    journal_order = [req(3, ok=False), req(1, ok=False), req(2), req(0)]  # . x . x in time
    assert metrics.outage_spans(journal_order) == 2


@given(oks)
def test_is_the_ok_to_failed_transitions_plus_one_if_it_starts_failed(ok: list[bool]) -> None:
    observed = metrics.outage_spans([req(i, ok=x) for i, x in enumerate(ok)])
    downs = sum(1 for a, b in pairwise(ok) if a and not b)
    expected = None if not ok else downs + (not ok[0])
    assert observed == expected


@given(oks, st.permutations(range(60)))
def test_does_not_depend_on_the_order_requests_were_journaled(
    ok: list[bool], order: list[int]
) -> None:
    rs = [req(i, ok=x) for i, x in enumerate(ok)]
    shuffled = [rs[i] for i in order if i < len(rs)]
    assert metrics.outage_spans(shuffled) == metrics.outage_spans(rs)


def test_an_assertion_of_flapping_fails_on_one_long_outage() -> None:
    flapping = check("outage_spans", ">=", 3, window=window(0, 1000))
    one_outage = [req(t, ok=not 200 <= t < 800) for t in range(0, 1000, 10)]
    three = [req(t, ok=(t // 100) % 2 == 0) for t in range(0, 600, 10)]  # down 3 times
    [long_outage] = evaluate([flapping], run(*one_outage))
    [flaps] = evaluate([flapping], run(*three))
    assert (long_outage.observed, long_outage.passed) == (1, False)
    assert (flaps.observed, flaps.passed) == (3, True)


def test_counts_per_region_on_its_own() -> None:
    per_region = check("outage_spans", ">=", 2, per="region")
    rotterdam = [req(t, ok=t % 20 == 0, region="rotterdam") for t in range(0, 100, 5)]
    utrecht = [req(t, ok=t < 50, region="utrecht") for t in range(0, 100, 5)]
    [outcome] = evaluate([per_region], run(*rotterdam, *utrecht))
    by_region = {r.region: (r.observed, r.passed) for r in outcome.regions}
    assert by_region == {"rotterdam": (5, True), "utrecht": (1, False)}
    assert (outcome.passed, outcome.worst) == (False, "utrecht")
