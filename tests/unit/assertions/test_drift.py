"""Drift over a run, from hand-made journals: counted, overlaps once, and bounded by
`max_drift` into an infrastructure error."""

from __future__ import annotations

import signal

import pytest

from harness.assertions import Ending, decide, ending_from_journal, with_drift
from harness.assertions.drift import over_budget, tally
from tests.unit.assertions.journals import drift, end, req, run, transition


def test_a_run_without_drift_counts_nothing() -> None:
    counted = tally(run(transition(60, True), req(70)))
    assert (counted.events, counted.missing, counted.failed, counted.faults) == (0, 0.0, 0, ())


def test_drift_is_counted_per_fault_and_in_all() -> None:
    counted = tally(run(drift(600, 0.1), drift(1200, 0.06), drift(1800, 0.2, fault="slow")))
    assert counted.events == 3
    assert counted.missing == pytest.approx(0.36)
    assert [(f.fault, f.events, round(f.missing, 6)) for f in counted.faults] == [
        ("flap", 2, 0.16),
        ("slow", 1, 0.2),
    ]


def test_overlapping_missing_windows_count_once() -> None:
    # one Toxiproxy restart, two links: missing together, not twice as long
    both = run(drift(600, 0.5), drift(600, 0.4, fault="slow", target="gms->x"))
    assert tally(both).missing == pytest.approx(0.5)


def test_a_fault_not_re_applied_is_counted_as_failed() -> None:
    counted = tally(run(drift(600, 5.0, ok=False, done="could not re-apply: refused")))
    assert counted.failed == 1
    assert str(counted) == "faults drifted 1 time, missing for 5.00 s in all, 1 not re-applied"


def test_the_console_line_reads_in_milliseconds_below_a_second() -> None:
    counted = tally(run(drift(600, 0.1), drift(1200, 0.06)))
    assert str(counted) == "faults drifted 2 times, missing for 160 ms in all"


def test_without_max_drift_drift_changes_no_verdict() -> None:
    counted = tally(run(drift(600, 30.0)))
    assert over_budget(counted, None) is None
    assert with_drift(Ending(), counted, None) == Ending()
    assert decide([], with_drift(Ending(), counted, None)).status == "passed"


def test_drift_within_max_drift_changes_no_verdict() -> None:
    counted = tally(run(drift(600, 0.3), drift(1200, 0.3)))
    assert with_drift(Ending(), counted, 1.0) == Ending()


def test_drift_over_max_drift_is_an_error_with_exit_3_naming_the_drift() -> None:
    counted = tally(run(drift(600, 0.8), drift(1200, 0.7, fault="slow")))
    verdict = decide([], with_drift(Ending(), counted, 1.0))
    assert (verdict.status, verdict.exit_code) == ("error", 3)
    assert verdict.reason == (
        "faults drifted 2 times, missing for 1.50 s in all: more than max_drift 1s "
        "(flap 800 ms, slow 700 ms)"
    )


def test_drift_over_max_drift_outranks_a_halt_and_an_interrupt() -> None:
    counted = tally(run(drift(600, 2.0)))
    assert with_drift(Ending("halted"), counted, 1.0).kind == "error"
    assert with_drift(Ending("interrupted", signum=signal.SIGTERM), counted, 1.0).kind == "error"


def test_an_error_ending_keeps_its_own_reason() -> None:
    counted = tally(run(drift(600, 9.0)))
    ending = Ending("error", "faults could not be re-applied within 5s")
    assert with_drift(ending, counted, 1.0) == ending


def test_a_recorded_run_re_judged_with_max_drift_is_an_error() -> None:
    events = [*run(drift(600, 2.0), finished=False), end(verdict="passed")]
    ending = with_drift(ending_from_journal(events), tally(events), 1.0)
    assert decide([], ending).exit_code == 3
