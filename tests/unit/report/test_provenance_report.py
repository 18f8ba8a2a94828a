"""The report keeps sources and assumptions apart: a Sources list and an Assumptions list, each
with the scenario's own lines first and then those of each fault, assertion and halt, named."""

from __future__ import annotations

import re
from pathlib import Path

from harness.assertions import Verdict, evaluate
from harness.assertions.view import JournalView
from harness.model.scenario import Check, load_scenario
from harness.report.html import report_html
from harness.report.meta import CheckNote, FaultNote, Provenance, ScenarioMeta
from tests.unit.assertions.journals import req, run

ROOT = Path(__file__).resolve().parents[3]

META = ScenarioMeta(
    "unit",
    sources=("the letter of 25 Sep 2020",),
    assumptions=("the onset hour",),
    faults=(FaultNote("flapping", source="NRC, 17 Sep 2020", assumption="the flap periods"),),
    checks=(
        CheckNote("112 answered", source="the 112 norm", assumption="scaled to 1 %"),
        CheckNote("112 collapsing", assumption="a safety stop", halt=True),
        CheckNote("bare"),
    ),
)


def listed(page: str, kind: str) -> list[str]:
    """The items of the report's Sources or Assumptions list, tags removed."""
    block = re.search(rf'<ul class="plain {kind}">(.*?)</ul>', page, re.S)
    assert block is not None, kind
    items = re.findall(r"<li>(.*?)</li>", block[1], re.S)
    return [re.sub(r"<[^>]+>", "", item) for item in items]


def page_of(meta: ScenarioMeta) -> str:
    check = Check("112 answered", "requests", ">=", 1, "callers-112", assumption="scaled to 1 %")
    events = run(req(1))
    return report_html(meta, JournalView(events), evaluate([check], events), Verdict("passed", 0))


def test_the_meta_names_the_owner_of_each_source_and_assumption() -> None:
    assert META.all_sources() == [
        Provenance("the letter of 25 Sep 2020"),
        Provenance("NRC, 17 Sep 2020", "fault flapping"),
        Provenance("the 112 norm", "assertion 112 answered"),
    ]
    assert META.all_assumptions() == [
        Provenance("the onset hour"),
        Provenance("the flap periods", "fault flapping"),
        Provenance("scaled to 1 %", "assertion 112 answered"),
        Provenance("a safety stop", "halt 112 collapsing"),
    ]


def test_the_report_lists_sources_and_assumptions_apart() -> None:
    page = page_of(META)
    assert listed(page, "sources") == [
        "the letter of 25 Sep 2020",
        "fault flapping: NRC, 17 Sep 2020",
        "assertion 112 answered: the 112 norm",
    ]
    assert listed(page, "assumptions") == [
        "the onset hour",
        "fault flapping: the flap periods",
        "assertion 112 answered: scaled to 1 %",
        "halt 112 collapsing: a safety stop",
    ]


def test_an_assertion_row_tags_its_assumption() -> None:
    row = page_of(META).split('<table class="assertions">')[1].split("</table>")[0]
    assert '<span class="tag assumption">assumption</span>' in row
    assert "scaled to 1 %" in row


def test_a_scenario_without_either_has_neither_list() -> None:
    page = page_of(ScenarioMeta("unit", checks=(CheckNote("bare"),)))
    assert 'class="plain sources"' not in page
    assert 'class="plain assumptions"' not in page


def test_the_meta_of_a_shipped_scenario_carries_every_check_note() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "september-2020.yaml")
    meta = ScenarioMeta.from_scenario(scenario)
    assert len(meta.checks) == len(scenario.assertions) + len(scenario.halts)
    assert all(c.source or c.assumption for c in meta.checks)
    assert [c.name for c in meta.checks if c.halt] == [h.name for h in scenario.halts]


def test_summary_json_keeps_the_check_notes_and_reads_older_summaries() -> None:
    assert ScenarioMeta.from_json(META.to_json()) == META
    older = {k: v for k, v in META.to_json().items() if k != "checks"}
    assert ScenarioMeta.from_json(older).checks == ()
