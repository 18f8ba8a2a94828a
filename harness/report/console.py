"""The console summary: one rich table of assertions; under it any drift, then the verdict.

Given the journal's view, a failed assertion's detail adds why it failed in one line
(report/why.py): its top cause, the fault active at its failing samples, first and worst."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from harness.assertions.blast_radius import Cell, blast_matrix, unexpected_damage
from harness.assertions.drift import DriftTally
from harness.assertions.evaluate import Outcome
from harness.assertions.verdict import Verdict
from harness.assertions.view import JournalView
from harness.report import blast, readable
from harness.report.why import explain, headline

VERDICT_STYLES = {
    "passed": "bold green",
    "failed": "bold red",
    "halted": "bold dark_orange",
    "interrupted": "bold yellow",
    "error": "bold magenta",
}


def summary_table(
    outcomes: Sequence[Outcome],
    verdict: Verdict,
    drift: DriftTally | None = None,
    view: JournalView | None = None,
) -> Table:
    # The verdict goes under the table: the last thing a person (or a CI log) reads.
    cells = blast_matrix(view) if view is not None else None
    caption = Text.assemble(
        *([(f"{drift}\n", "bold red")] if drift is not None and drift.events else []),
        *([(f"{blast.headline(cells)}\n", _blast_style(cells))] if cells else []),
        ("verdict: ", "bold"),
        (verdict.status.upper(), VERDICT_STYLES.get(verdict.status, "bold")),
        f"  (exit {verdict.exit_code})  {verdict.reason}",
    )
    table = Table(caption=caption, caption_justify="left", expand=False, show_lines=False)
    table.add_column("", width=4)
    table.add_column("assertion", overflow="fold")
    table.add_column("observed", justify="right")
    table.add_column("wanted", justify="right")
    table.add_column("detail", overflow="fold", style="dim")
    for o in outcomes:
        mark = Text("ok", "green") if o.passed else Text("FAIL", "bold red")
        observed = readable.value(o.metric, o.observed)
        if worst := readable.worst(o):
            observed += f" ({worst})"
        detail = o.detail
        if view is not None and (why := explain(o, view)) is not None:
            detail = f"{detail}\nwhy: {headline(why, view)}".strip()
        table.add_row(
            mark, o.name, observed, readable.threshold(o.metric, o.op, o.threshold), detail
        )
    return table


def _blast_style(cells: list[Cell]) -> str:
    return "bold red" if unexpected_damage(cells) else "dim"


def print_summary(
    outcomes: Sequence[Outcome],
    verdict: Verdict,
    console: Console | None = None,
    drift: DriftTally | None = None,
    view: JournalView | None = None,
) -> None:
    (console or Console()).print(summary_table(outcomes, verdict, drift, view))
