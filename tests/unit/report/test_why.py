"""Why an assertion failed: the causes among its failing samples, the faults active at them,
the first and the worst moment - computed from the journal alone."""

from __future__ import annotations

import pytest

from harness.assertions import evaluate
from harness.assertions.evaluate import Outcome
from harness.assertions.view import JournalView
from harness.journal import Event
from harness.report.causes import NO_ERROR, Cause, cause_of
from harness.report.why import Why, explain, headline, stretch_width
from tests.unit.assertions.journals import check, incidents, req, run, transition, window

REFUSED_RD = (
    '503 Service Unavailable; Warning: 399 meldkamer-rotterdam "police-ict unreachable: '
    'connection refused"'
)
REFUSED_ZWB = REFUSED_RD.replace("meldkamer-rotterdam", "meldkamer-zeeland-west-brabant")


def judged(events: list[Event], **kw: object) -> tuple[Outcome, JournalView]:
    view = JournalView(events)
    (outcome,) = evaluate([check(**kw)], view)  # type: ignore[arg-type]
    return outcome, view


def why_of(events: list[Event], **kw: object) -> Why:
    outcome, view = judged(events, **kw)
    why = explain(outcome, view)
    assert why is not None
    return why


# --- what a journal error says ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (
            REFUSED_RD,
            Cause(
                "503 Service Unavailable",
                "police-ict unreachable: connection refused",
                "meldkamer-rotterdam",
            ),
        ),
        (
            '503 Service Unavailable; Reason: SIP ;cause=503 ;text="gms failed: HTTP 500"',
            Cause("503 Service Unavailable", "gms failed: HTTP 500"),
        ),
        ("486 Busy Here", Cause("486 Busy Here")),
        ("HTTP 503", Cause("HTTP 503")),
        ("timeout: no final answer to INVITE", Cause("timeout: no final answer to INVITE")),
        ("connection refused", Cause("connection refused")),
        (
            'unexpected 503 Service Unavailable; Warning: 399 pcc "police-ict failed: HTTP 500" '
            "(expected 200)",
            Cause("503 Service Unavailable", "police-ict failed: HTTP 500", "pcc"),
        ),
        (None, Cause(NO_ERROR)),
    ],
)
def test_a_journal_error_names_its_cause(error: str | None, cause: Cause) -> None:
    assert cause_of(error) == cause


def test_a_warning_cut_by_the_journal_limit_still_names_its_dependency() -> None:
    cut = REFUSED_RD[: REFUSED_RD.index("connection") + 4]  # no closing quote
    assert cause_of(cut) == Cause(
        "503 Service Unavailable", "police-ict unreachable: conn", "meldkamer-rotterdam"
    )


# --- the breakdown ---------------------------------------------------------------------------


def coupled_journal() -> list[Event]:
    """Police ICT down from 00:08 to 00:16; rotterdam's calls refused by both meldkamers while
    it is down (a call every 2 minutes), one timeout at 00:30 with no fault active."""
    events: list[Event] = [
        transition(8 * 60, True, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
        transition(
            8 * 60, True, "meldkamer-zeeland-west-brabant->police-ict", "police-ict-flapping"
        ),
        transition(16 * 60, False, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
        transition(
            9 * 60, False, "meldkamer-zeeland-west-brabant->police-ict", "police-ict-flapping"
        ),
    ]
    for minute in range(0, 60, 2):
        t = minute * 60.0
        down = 8 * 60 <= t < 16 * 60
        error = (REFUSED_RD if minute % 4 else REFUSED_ZWB) if down else None
        events.append(req(t, ok=not down, error=error))
        events.append(req(t, region="midden-nederland"))
    events.append(req(30 * 60 + 1, ok=False, error="timeout: no final answer to INVITE"))
    return run(*sorted(events, key=lambda e: e.t))


def test_a_failed_assertion_groups_its_failures_by_what_went_wrong_whoever_said_it() -> None:
    why = why_of(coupled_journal(), per="region")
    assert why.regions == ("rotterdam",)  # only the failing region is looked at
    assert why.what == "failed requests"
    assert (why.bad, why.samples) == (5, 31)
    top = why.causes[0]
    assert top.why == "police-ict unreachable: connection refused"
    assert top.agents == ("meldkamer-rotterdam", "meldkamer-zeeland-west-brabant")
    assert [c.count for c in why.causes] == [4, 1]
    assert why.causes[1].code == "timeout: no final answer to INVITE"


def test_the_faults_active_at_the_failing_samples_are_counted_and_set_against_how_often_they_were_on() -> (
    None
):
    why = why_of(coupled_journal(), per="region")
    (fault,) = why.faults
    assert fault.fault == "police-ict-flapping"
    assert fault.targets == (
        "meldkamer-rotterdam->police-ict",
        "meldkamer-zeeland-west-brabant->police-ict",
    )
    assert fault.count == 4  # the refused calls; the 00:30 timeout had no fault
    assert why.unfaulted == 1
    assert fault.share == pytest.approx(4 / 31)


def many_refusals() -> list[Event]:
    events: list[Event] = [
        transition(600, True, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
        transition(1200, False, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
    ]
    for second in range(0, 3600, 10):
        down = 600 <= second < 1200
        events.append(req(float(second), ok=not down, error=REFUSED_RD if down else None))
    events.append(req(3000.5, ok=False, error="connection refused"))
    return run(*sorted(events, key=lambda e: e.t))


def test_the_top_cause_and_the_fault_read_as_one_line_a_reader_understands() -> None:
    outcome, view = judged(many_refusals(), name="112 answered")
    why = explain(outcome, view)
    assert why is not None
    assert (why.bad, why.samples) == (61, 361)
    assert why.causes[0].count == 60 and why.causes[1].code == "connection refused"
    assert why.faults[0].count == 60 and why.unfaulted == 1
    line = headline(why, view)
    assert line.startswith(
        "503 Service Unavailable from meldkamer-rotterdam: police-ict unreachable: "
        "connection refused (60 of 61 failed requests) · police-ict-flapping active at 60 of 61"
    )
    assert "first 15 Sep 2020 00:10:00" in line


def test_first_is_the_first_failing_sample_and_worst_the_stretch_with_the_most() -> None:
    why = why_of(many_refusals())
    assert why.first == 600.0
    assert why.worst is not None
    assert why.worst.end - why.worst.start == stretch_width(3600.0) == 300.0
    assert why.worst.start == 600.0 and why.worst.bad == why.worst.samples == 30


def test_a_failure_that_started_before_a_fault_and_ran_into_it_counts_as_under_it() -> None:
    # the call starts at 590 s and waits 1 wall second (60 scenario seconds) into the fault
    events = run(
        transition(600, True, "telephony->meldkamer-rotterdam", "cut"),
        req(590, ok=False, latency=1.0, error="timeout: no final answer to INVITE"),
        req(700),
    )
    why = why_of(events)
    assert [f.fault for f in why.faults] == ["cut"] and why.unfaulted == 0


def test_a_passed_assertion_or_one_without_failing_samples_has_no_explanation() -> None:
    outcome, view = judged(run(req(10), req(20)))
    assert outcome.passed and explain(outcome, view) is None
    outcome, view = judged(run(req(10, traffic="office-users")))  # no 112 request at all
    assert not outcome.passed and explain(outcome, view) is None


def test_a_window_limits_the_failing_samples_to_it() -> None:
    events = run(req(100, ok=False, error="HTTP 503"), req(2000, ok=False, error="HTTP 500"))
    why = why_of(events, traffic="callers-112", window=window(1800, 3600))
    assert [c.code for c in why.causes] == ["HTTP 500"]


def test_a_latency_assertion_is_explained_by_its_slow_successes_and_who_answered() -> None:
    events = run(
        req(10, latency=0.02, answered_by="meldkamer-rotterdam"),
        req(20, latency=0.9, answered_by="meldkamer-zeeland-west-brabant"),
        req(30, latency=0.8, answered_by="meldkamer-zeeland-west-brabant"),
    )
    why = why_of(events, metric="latency", op="<=", threshold=0.5, percentile=50)
    assert why.what == "successes slower than 500ms" and why.bad == 2
    assert why.causes[0].agents == ("meldkamer-zeeland-west-brabant",)


def test_incidents_are_explained_by_the_calls_gms_lost_or_holds_twice() -> None:
    events = run(
        req(10, call_id="a", answered_by="meldkamer-rotterdam"),
        req(20, call_id="b", answered_by="meldkamer-rotterdam"),
        req(30, call_id="c", answered_by="meldkamer-rotterdam"),
        incidents({"a": 1, "b": 2}),
    )
    why = why_of(events, metric="incidents_reconciled", op="==", threshold=1.0)
    assert sorted(c.code for c in why.causes) == ["incident lost", "incident registered 2 times"]


def test_via_ratio_is_explained_by_the_dispatches_that_went_another_way() -> None:
    events = run(
        req(10, traffic="dispatchers", via="console"),
        req(20, traffic="dispatchers", via="radio-sets"),
    )
    why = why_of(events, metric="via_ratio", traffic="dispatchers", via="console")
    assert [(c.code, c.count) for c in why.causes] == [("via radio-sets", 1)]


def test_a_max_gap_assertion_shows_the_longest_gap_as_its_worst_moment() -> None:
    events = run(
        *(req(float(t)) for t in range(0, 1200, 60)),
        *(req(float(t), ok=False, error="connection refused") for t in range(1200, 2400, 60)),
        *(req(float(t)) for t in range(2400, 3600, 60)),
    )
    why = why_of(events, metric="max_gap", op="<=", threshold=2.0)
    assert why.worst is not None
    assert why.worst.start == pytest.approx(1140) and why.worst.end == pytest.approx(2400)
    assert why.worst.bad == 20


def test_many_kinds_of_failure_show_the_commonest_and_count_the_rest() -> None:
    events = run(*(req(float(t), ok=False, error=f"HTTP {500 + t % 8}") for t in range(80)))
    why = why_of(events)
    assert len(why.causes) == 5 and why.other_causes == 30
    assert sum(c.count for c in why.causes) + why.other_causes == why.bad == 80
