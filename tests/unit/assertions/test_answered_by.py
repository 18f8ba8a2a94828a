"""answered_by_ratio: of the answered 112 calls, the share its own region's meldkamer took
(`own`) or another region's (`backup`), told by the region the run-start records for the
service that answered, not by its name."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from harness.assertions import metrics
from harness.assertions.evaluate import evaluate
from harness.journal import Event, Request
from harness.model.scenario import Check
from tests.unit.assertions.journals import check, end, req, start

SERVICES = {"meldkamer-rotterdam": "rotterdam", "mk-zwb": "zeeland-west-brabant"}


def journal(*requests: Request) -> list[Event]:
    return [start(service_regions=SERVICES), *requests, end()]


def call(t: float, answered_by: str | None, region: str = "rotterdam", ok: bool = True) -> Request:
    return req(t, ok=ok, region=region, answered_by=answered_by)


def own(threshold: float = 0.9) -> Check:
    return check("answered_by_ratio", ">=", threshold, answered_by="own")


def test_is_the_share_of_answered_calls_taken_by_the_callers_own_region() -> None:
    calls = [call(1, "meldkamer-rotterdam"), call(2, "meldkamer-rotterdam"), call(3, "mk-zwb")]
    [mine] = evaluate([own()], journal(*calls))
    [backup] = evaluate(
        [check("answered_by_ratio", ">=", 0.3, answered_by="backup")], journal(*calls)
    )
    assert (mine.observed, mine.passed) == (2 / 3, False)
    assert (backup.observed, backup.passed) == (1 / 3, True)


def test_own_is_the_answering_services_region_whatever_its_name() -> None:
    [outcome] = evaluate([own()], journal(call(1, "mk-zwb", region="zeeland-west-brabant")))
    assert outcome.observed == 1.0


def test_failed_calls_do_not_count() -> None:
    calls = [call(1, "meldkamer-rotterdam"), call(2, None, ok=False), call(3, None, ok=False)]
    [outcome] = evaluate([own()], journal(*calls))
    assert (outcome.observed, outcome.samples) == (1.0, 1)


def test_an_answer_naming_nobody_is_left_out_and_said() -> None:
    [outcome] = evaluate([own()], journal(call(1, "meldkamer-rotterdam"), call(2, None)))
    assert (outcome.observed, outcome.samples) == (1.0, 1)
    assert "1 answered calls did not name who answered" in outcome.detail


def test_a_service_the_topology_has_no_region_for_is_a_backup() -> None:
    [outcome] = evaluate([own()], journal(call(1, "police-contact-centre")))
    assert (outcome.observed, outcome.passed) == (0.0, False)


def test_fails_when_the_run_start_does_not_say_where_services_are() -> None:
    events = [start(), call(1, "meldkamer-rotterdam"), end()]
    [outcome] = evaluate([own(0.0)], events)
    assert not outcome.passed
    assert "which region each service is in" in outcome.detail


@given(st.lists(st.tuples(st.booleans(), st.sampled_from([None, *SERVICES])), max_size=40))
def test_own_and_backup_share_every_call_that_names_who_answered(
    calls: list[tuple[bool, str | None]],
) -> None:
    rs = [call(i, by, ok=ok) for i, (ok, by) in enumerate(calls)]
    mine = metrics.answered_by_ratio(rs, "own", SERVICES)
    other = metrics.answered_by_ratio(rs, "backup", SERVICES)
    if not any(ok and by for ok, by in calls):
        assert mine is None and other is None
    else:
        assert mine is not None and other is not None
        assert abs(mine + other - 1.0) < 1e-9
