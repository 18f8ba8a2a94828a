"""The end of a run: judge the assertions once, decide the verdict, journal the run-end and
write the reports and the console summary from that one judgement."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from harness.assertions.drift import tally
from harness.assertions.evaluate import evaluate
from harness.assertions.verdict import Ending, decide, with_drift
from harness.assertions.view import JournalView
from harness.journal import JournalWriter, RunEnd, read_events
from harness.model.scenario import Scenario
from harness.report.console import print_summary
from harness.report.meta import ScenarioMeta
from harness.report.write import HTML, write_reports
from harness.run.options import RunResult


def finish(
    scenario: Scenario,
    ending: Ending,
    journal: JournalWriter,
    journal_path: Path,
    report_dir: Path,
    console: Console,
) -> RunResult:
    journal.flush()
    events = list(read_events(journal_path))
    view = JournalView(events)
    outcomes = evaluate(scenario.assertions, view)
    drift = tally(view.drifts)
    verdict = decide(outcomes, with_drift(ending, drift, scenario.max_drift))
    end = RunEnd(time.time(), scenario.clock.span, verdict.status, verdict.reason)
    journal.write(end)
    journal.close()
    events.append(end)
    meta = ScenarioMeta.from_scenario(scenario)
    write_reports(report_dir, meta, scenario.assertions, events, verdict, outcomes)
    print_summary(outcomes, verdict, console, drift, view)
    console.print(f"report: {report_dir / HTML}", markup=False)
    return RunResult(verdict.status, verdict.exit_code, report_dir, outcomes, verdict.reason)
