"""Drift in the reports: counted in summary.json, marked on report.html's timeline and listed
under the faults, one line under the console table; and re-rendering applies max_drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from harness.assertions import Verdict, decide, evaluate
from harness.assertions.drift import tally
from harness.assertions.view import JournalView
from harness.journal import Event, JournalWriter
from harness.report import print_summary, render
from harness.report.html import report_html
from harness.report.meta import ScenarioMeta
from harness.report.summary import summary
from harness.report.timeline import build_timeline
from tests.unit.assertions.journals import check, drift, end, req, run, transition

TARGET = "telephony->police-ict"


def drifted() -> list[Event]:
    return run(
        transition(600, True),
        req(700),
        drift(900, 0.1),
        drift(1500, 0.06, found="toxic missing"),
        transition(2400, False),
    )


def test_summary_json_counts_drift_per_fault_and_in_all() -> None:
    view = JournalView(drifted())
    data = summary(ScenarioMeta("unit"), view, [], Verdict("passed", 0))
    assert data["drift"] == {
        "events": 2,
        "missing": 0.16,
        "failed": 0,
        "faults": {"flap": {"events": 2, "missing": 0.16, "failed": 0}},
    }


def test_summary_json_says_no_drift_when_there_was_none() -> None:
    view = JournalView(run(transition(600, True), req(700)))
    data = summary(ScenarioMeta("unit"), view, [], Verdict("passed", 0))
    assert data["drift"] == {"events": 0, "missing": 0.0, "failed": 0, "faults": {}}


def test_the_console_says_how_often_and_how_long_faults_drifted_above_the_verdict() -> None:
    events = drifted()
    outcomes = evaluate([check("requests", ">=", 1)], events)
    console = Console(record=True, width=160, color_system=None)
    print_summary(outcomes, decide(outcomes), console, tally(events))
    lines = [line.rstrip() for line in console.export_text().splitlines()]
    at = lines.index("faults drifted 2 times, missing for 160 ms in all")
    assert lines[at + 1].startswith("verdict: PASSED")


def test_the_console_says_nothing_of_drift_when_there_was_none() -> None:
    events = run(req(700))
    outcomes = evaluate([check("requests", ">=", 1)], events)
    console = Console(record=True, width=160, color_system=None)
    print_summary(outcomes, decide(outcomes), console, tally(events))
    assert "drifted" not in console.export_text()


def test_the_timeline_marks_each_drift_over_its_missing_window() -> None:
    view = JournalView(drifted())
    marks = build_timeline(view).drifts
    assert [(m.fault, m.target, m.ok) for m in marks] == [("flap", TARGET, True)] * 2
    first = marks[0]
    assert first.end == pytest.approx(900.0)
    assert first.start == pytest.approx(
        900.0 - 0.1 * 60
    )  # 0.1 wall seconds at 60 scenario seconds each


def test_report_html_marks_drift_on_the_timeline_and_lists_it_under_the_faults() -> None:
    view = JournalView(drifted())
    page = report_html(ScenarioMeta("unit"), view, [], Verdict("passed", 0))
    assert 'id="drift-flap-telephony--police-ict' in page
    assert "fault missing (drift)" in page  # the timeline's legend
    assert "faults drifted 2 times, missing for 160 ms in all" in page
    assert "<td>proxy enabled</td>" in page and "<td>toxic missing</td>" in page
    assert "2× · 160 ms" in page  # the faults table's drift column


def test_report_html_has_no_drift_section_without_drift() -> None:
    view = JournalView(run(transition(600, True), req(700)))
    page = report_html(ScenarioMeta("unit"), view, [], Verdict("passed", 0))
    assert 'id="drift"' not in page
    assert "fault missing (drift)" not in page


def write_journal(run_dir: Path, events: list[Event]) -> None:
    run_dir.mkdir()
    with JournalWriter(run_dir / "journal.jsonl") as journal:
        for event in events:
            journal.write(event)


def test_a_re_render_with_max_drift_exceeded_is_an_error_with_exit_3(tmp_path: Path) -> None:
    events = [*drifted()[:-1], end(verdict="passed")]
    write_journal(tmp_path / "run", events)
    verdict = render(tmp_path / "run", [check("requests", ">=", 1)], max_drift=0.1)
    assert (verdict.status, verdict.exit_code) == ("error", 3)
    assert "faults drifted 2 times" in verdict.reason
    data = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert (data["verdict"], data["exit_code"], data["drift"]["events"]) == ("error", 3, 2)


def test_a_re_render_within_max_drift_is_judged_by_its_assertions(tmp_path: Path) -> None:
    write_journal(tmp_path / "run", [*drifted()[:-1], end(verdict="passed")])
    verdict = render(tmp_path / "run", [check("requests", ">=", 1)], max_drift=1.0)
    assert verdict.status == "passed"
