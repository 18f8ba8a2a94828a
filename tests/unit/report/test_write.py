"""write_reports for a finished run, and render (`harness report DIR`) from its journal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.assertions import Verdict
from harness.errors import InvalidInput
from harness.journal import Event, JournalWriter
from harness.model.scenario import Check
from harness.report import ScenarioMeta, render, write_reports
from tests.unit.assertions.journals import end, req, run, start
from tests.unit.report import sample

HELD = Check("112 answered", "success_ratio", ">=", 0.5, "callers-112")
TOO_STRICT = Check("112 always answered", "success_ratio", ">=", 1.0, "callers-112")


def recorded(run_dir: Path, events: list[Event]) -> Path:
    run_dir.mkdir(parents=True, exist_ok=True)
    with JournalWriter(run_dir / "journal.jsonl") as journal:
        for event in events:
            journal.write(event)
    return run_dir


def verdict_in(run_dir: Path) -> str:
    return str(json.loads((run_dir / "summary.json").read_text())["verdict"])


def test_write_reports_writes_the_three_files_and_nothing_else(tmp_path: Path) -> None:
    files = write_reports(tmp_path, ScenarioMeta("unit"), [HELD], run(req(1)), Verdict("passed", 0))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "junit.xml",
        "report.html",
        "summary.json",
    ]
    assert files.summary.parent == tmp_path


def test_render_re_evaluates_the_checks_it_is_given(tmp_path: Path) -> None:
    run_dir = recorded(tmp_path / "run", run(req(1), req(2, ok=False), req(3)))
    assert render(run_dir, [HELD]).status == "passed"
    assert verdict_in(run_dir) == "passed"
    verdict = render(run_dir, [TOO_STRICT])
    assert (verdict.status, verdict.exit_code) == ("failed", 1)
    assert verdict_in(run_dir) == "failed"


def test_render_keeps_how_the_run_ended(tmp_path: Path) -> None:
    run_dir = recorded(
        tmp_path / "run", [start(), req(1), end(60, "interrupted", "interrupted by signal 15")]
    )
    verdict = render(run_dir, [HELD])
    assert (verdict.status, verdict.exit_code) == ("interrupted", 143)


def test_render_of_a_halted_run_is_halted(tmp_path: Path) -> None:
    run_dir = recorded(tmp_path / "run", sample.journal(300, halted_at=100_000))
    assert render(run_dir, [HELD]).status == "halted"
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["halts"][0]["check"] == "112 keeps answering"


def test_render_keeps_the_scenario_words_of_the_previous_summary(tmp_path: Path) -> None:
    events = run(req(1))
    run_dir = recorded(tmp_path / "run", events)
    write_reports(run_dir, sample.META, [HELD], events, Verdict("passed", 0))
    render(run_dir, [HELD])
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["scenario"]["sources"] == list(sample.META.sources)
    assert summary["scenario"]["faults"][0]["assumption"] == "flap pattern"


def test_render_without_a_summary_names_the_scenario_from_the_journal(tmp_path: Path) -> None:
    run_dir = recorded(tmp_path / "run", run(req(1)))
    render(run_dir, [HELD])
    assert json.loads((run_dir / "summary.json").read_text())["scenario"]["name"] == "unit"


def test_render_needs_a_journal(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"no journal\.jsonl"):
        render(tmp_path, [HELD])


@pytest.mark.slow
def test_a_journal_of_100k_requests_renders(tmp_path: Path) -> None:
    run_dir = recorded(tmp_path / "run", sample.journal(100_000))
    assert render(run_dir, sample.CHECKS).status == "passed"
    html = (run_dir / "report.html").read_text()
    assert "<svg" in html
    assert len(html) < 2_000_000  # binned: the SVG does not grow with the request count
