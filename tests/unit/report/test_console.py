"""The console summary table."""

from __future__ import annotations

from rich.console import Console

from harness.assertions import decide, evaluate
from harness.journal import Event
from harness.report import print_summary
from tests.unit.report.conftest import CHECKS


def test_lists_the_verdict_and_every_assertion(journal: list[Event]) -> None:
    outcomes = evaluate(CHECKS, journal)
    console = Console(record=True, width=160, color_system=None)
    print_summary(outcomes, decide(outcomes), console)
    text = console.export_text()
    assert "verdict: FAILED  (exit 1)" in text
    for check in CHECKS:
        assert check.name in text
    failing = next(line for line in text.splitlines() if line.startswith("│ FAIL │ radio console"))
    assert "FAIL" in failing
    assert "≥ 99 %" in failing
