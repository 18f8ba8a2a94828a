"""Write a run's reports, and re-render them from a recorded journal (`harness report DIR`)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.assertions.drift import DriftTally, tally
from harness.assertions.evaluate import Outcome, evaluate
from harness.assertions.verdict import Verdict, decide, ending_from_journal, with_drift
from harness.assertions.view import JournalView
from harness.errors import InvalidInput
from harness.journal import Event, read_events
from harness.model.scenario import Check
from harness.report.html import report_html
from harness.report.junit import junit_xml
from harness.report.meta import ScenarioMeta
from harness.report.summary import summary, write_summary

JOURNAL = "journal.jsonl"
SUMMARY = "summary.json"
JUNIT = "junit.xml"
HTML = "report.html"


@dataclass(frozen=True)
class ReportFiles:
    summary: Path
    junit: Path
    html: Path


def write_reports(
    run_dir: Path,
    scenario_meta: ScenarioMeta,
    checks: Sequence[Check],
    events: Iterable[Event],
    verdict: Verdict,
    outcomes: Sequence[Outcome] | None = None,
) -> ReportFiles:
    """summary.json, junit.xml and report.html for a finished run, in run_dir. A run passes
    the outcomes it judged its verdict by; without them the checks are evaluated here."""
    view = JournalView(events)
    judged = evaluate(checks, view) if outcomes is None else outcomes
    return _write(run_dir, scenario_meta, view, judged, verdict)


@dataclass(frozen=True)
class Rendered:
    """A recorded run judged again: its verdict, the outcomes, its drift and its journal."""

    verdict: Verdict
    outcomes: list[Outcome]
    drift: DriftTally
    view: JournalView | None = None


def render(
    run_dir: Path,
    checks: Sequence[Check],
    meta: ScenarioMeta | None = None,
    max_drift: float | None = None,
) -> Verdict:
    """Re-read run_dir/journal.jsonl, re-evaluate `checks` and rewrite the reports; the verdict."""
    return render_run(run_dir, checks, meta, max_drift).verdict


def render_run(
    run_dir: Path,
    checks: Sequence[Check],
    meta: ScenarioMeta | None = None,
    max_drift: float | None = None,
) -> Rendered:
    """Re-read run_dir/journal.jsonl, re-evaluate `checks` (once) and rewrite the reports.

    The verdict follows how the run ended (its run-end and halt events), and `max_drift` (the
    scenario's bound on faults found missing); a run that completed is judged afresh by the
    checks. Without `meta`, the scenario's words come from the previous
    summary.json, else from the journal alone."""
    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise InvalidInput(f"{run_dir}: no {JOURNAL} here; is this a run directory?")
    events = list(read_events(journal))
    view = JournalView(events)
    outcomes = evaluate(checks, view)
    drift = tally(view.drifts)
    verdict = decide(outcomes, with_drift(ending_from_journal(events), drift, max_drift))
    meta = meta or _previous_meta(run_dir, view) or ScenarioMeta.from_journal(view)
    _write(run_dir, meta, view, outcomes, verdict)
    return Rendered(verdict, outcomes, drift, view)


def _write(
    run_dir: Path,
    meta: ScenarioMeta,
    view: JournalView,
    outcomes: Sequence[Outcome],
    verdict: Verdict,
) -> ReportFiles:
    run_dir.mkdir(parents=True, exist_ok=True)
    files = ReportFiles(run_dir / SUMMARY, run_dir / JUNIT, run_dir / HTML)
    data = summary(meta, view, outcomes, verdict)
    _replace(files.summary, lambda tmp: write_summary(tmp, data))
    junit = junit_xml(meta, outcomes, verdict, view.end_wall - view.start_wall)
    _replace(files.junit, lambda tmp: tmp.write_bytes(junit))
    html = report_html(meta, view, outcomes, verdict)
    _replace(files.html, lambda tmp: tmp.write_text(html, encoding="utf-8"))
    return files


def _previous_meta(run_dir: Path, view: JournalView) -> ScenarioMeta | None:
    try:
        data = json.loads((run_dir / SUMMARY).read_text(encoding="utf-8"))
        seed = view.start.seed if view.start else data.get("seed")
        return ScenarioMeta.from_json(data["scenario"], seed)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write next to `path`, then rename over it: a crash never leaves half a report."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
