"""Every report says why a failed assertion failed: summary.json (`why`), report.html (a block
under the assertion) and the console (a line in its detail); a passed one has no explanation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from harness.assertions import decide, evaluate
from harness.assertions.view import JournalView
from harness.journal import Event
from harness.report import print_summary, write_reports
from harness.report.meta import ScenarioMeta
from tests.unit.assertions.journals import check, req, run, transition

REFUSED = (
    '503 Service Unavailable; Warning: 399 meldkamer-rotterdam "police-ict unreachable: '
    'connection refused"'
)
CHECKS = (
    check(name="112 answered in every region", per="region", threshold=0.999),
    check(name="112 answered at all", threshold=0.5),
)


@pytest.fixture(scope="module")
def journal() -> list[Event]:
    """Police ICT down 00:10-00:20 of scenario time; rotterdam's 112 calls refused meanwhile."""
    events: list[Event] = [
        transition(600, True, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
        transition(1200, False, "meldkamer-rotterdam->police-ict", "police-ict-flapping"),
    ]
    for second in range(0, 3600, 20):
        down = 600 <= second < 1200
        events.append(req(float(second), ok=not down, error=REFUSED if down else None))
        events.append(req(float(second) + 1, region="midden-nederland"))
    return run(*sorted(events, key=lambda e: e.t))


@pytest.fixture(scope="module")
def summary(journal: list[Event], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    run_dir: Path = tmp_path_factory.mktemp("why")
    files = write_reports(
        run_dir, ScenarioMeta("coupled"), CHECKS, journal, decide(evaluate(CHECKS, journal))
    )
    data: dict[str, Any] = json.loads(files.summary.read_text(encoding="utf-8"))
    data["html"] = files.html.read_text(encoding="utf-8")
    return data


def test_summary_json_explains_the_failed_assertion_and_not_the_passed_one(
    summary: dict[str, Any],
) -> None:
    failed, held = summary["assertions"]
    assert held["passed"] and held["why"] is None
    why = failed["why"]
    assert why["count"] == 30 and why["samples"] == 180 and why["regions"] == ["rotterdam"]
    (cause,) = why["causes"]
    assert cause["code"] == "503 Service Unavailable"
    assert cause["why"] == "police-ict unreachable: connection refused"
    assert cause["from"] == ["meldkamer-rotterdam"] and cause["count"] == 30
    (fault,) = why["faults"]
    assert fault["fault"] == "police-ict-flapping" and fault["count"] == 30
    assert fault["share"] == pytest.approx(30 / 180)
    assert why["no_fault"] == 0
    assert why["first"] == {"t": 600.0, "at": "2020-09-15T00:10:00"}
    assert why["worst"]["from"] == "2020-09-15T00:10:00"
    assert why["worst"]["count"] == why["worst"]["samples"] == 15  # every call of it failed
    assert "police-ict unreachable" in why["line"]


def test_report_html_shows_the_causes_the_faults_and_the_moments(summary: dict[str, Any]) -> None:
    html: str = summary["html"]
    assert html.count('class="why"') == 1  # only under the failed assertion
    block = html[html.index('class="why"') :]
    block = block[: block.index("</div>")]
    assert "503 Service Unavailable from meldkamer-rotterdam: police-ict unreachable" in block
    assert "30 of 180 samples in rotterdam" in block
    assert "police-ict-flapping" in block and "meldkamer-rotterdam-&gt;police-ict" in block
    assert "first: 15 Sep 2020 00:10:00" in block
    assert "worst: 15 Sep 00:10:00–00:15:00 (15 of 15 failing)" in block


def test_the_console_names_why_in_the_failed_rows_detail(journal: list[Event]) -> None:
    outcomes = evaluate(CHECKS, journal)
    console = Console(record=True, width=400, color_system=None)
    print_summary(outcomes, decide(outcomes), console, view=JournalView(journal))
    text = console.export_text()
    why_lines = [line for line in text.splitlines() if "why:" in line]
    assert len(why_lines) == 1
    assert "police-ict unreachable: connection refused (30 of 30 failed requests)" in why_lines[0]
    assert "police-ict-flapping active at 30 of 30" in why_lines[0]
