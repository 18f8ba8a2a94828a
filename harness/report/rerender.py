"""`harness report DIR`: judge a finished run again from its journal and rewrite its reports,
with the scenario file the journal names (so changed assertions apply)."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from harness.errors import InvalidInput
from harness.journal import RunStart, read_events
from harness.model.scenario import load_scenario
from harness.progress import terminal_console
from harness.report.console import print_summary
from harness.report.meta import ScenarioMeta
from harness.report.write import HTML, JOURNAL, render_run


def rerender(run_dir: Path, console: Console | None = None) -> int:
    """Re-evaluate a finished run from its journal; its exit code."""
    console = console or terminal_console()
    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise InvalidInput(f"{run_dir}: no {JOURNAL} here; is this a run directory?")
    start = next((e for e in read_events(journal) if isinstance(e, RunStart)), None)
    if start is None or not start.file:
        raise InvalidInput(f"{journal}: no run-start event naming the scenario file")
    scenario = load_scenario(Path(start.file), Path(start.topology) if start.topology else None)
    meta = ScenarioMeta.from_scenario(scenario)
    rendered = render_run(run_dir, scenario.assertions, meta, scenario.max_drift)
    print_summary(rendered.outcomes, rendered.verdict, console, rendered.drift, rendered.view)
    console.print(f"report: {run_dir / HTML}", markup=False)
    return rendered.verdict.exit_code
