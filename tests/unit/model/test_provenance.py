"""Sources and assumptions: every fault, assertion and halt says where it comes from. One with
neither a `source:` nor an `assumption:` is a warning at its own line - never an error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.model.provenance import provenance_warnings
from harness.model.scenario import load_scenario_with_warnings
from harness.model.source import parse_yaml

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "warnings"
WARN = re.compile(r"# warn: (\d+): (.+)")
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


def warnings_of(text: str) -> list[str]:
    return [str(w) for w in provenance_warnings(parse_yaml(text, "s.yaml"))]


def test_a_fault_with_neither_a_source_nor_an_assumption_warns_at_its_line() -> None:
    text = "faults:\n  - name: ok\n    source: a letter\n  - name: bare\n    description: words\n"
    assert warnings_of(text) == [
        "s.yaml:4: warning: fault 'bare' has neither a source nor an assumption"
    ]


@pytest.mark.parametrize("key", ["source", "assumption"])
def test_a_source_or_an_assumption_alone_is_enough(key: str) -> None:
    text = f"faults: [{{name: f, {key}: x}}]\nassertions: [{{name: a, {key}: x}}]\n"
    text += f"halt: [{{name: h, {key}: x}}]\n"
    assert warnings_of(text) == []


def test_blank_text_is_no_source() -> None:
    assert warnings_of("faults: [{name: f, source: '  ', assumption: ''}]\n") == [
        "s.yaml:1: warning: fault 'f' has neither a source nor an assumption"
    ]


def test_assertions_and_halts_warn_too_in_file_order() -> None:
    text = (
        "halt:\n  - {name: stop, metric: requests}\n"
        "assertions:\n  - name: held\n    metric: requests\n  - {metric: latency}\n"
    )
    assert warnings_of(text) == [
        "s.yaml:2: warning: halt 'stop' has neither a source nor an assumption",
        "s.yaml:4: warning: assertion 'held' has neither a source nor an assumption",
        "s.yaml:6: warning: assertion #2 has neither a source nor an assumption",
    ]


def test_what_is_not_a_scenario_has_no_warning() -> None:
    assert warnings_of("- a list\n") == []
    assert warnings_of("faults: not a list\nassertions: [3]\n") == []


def test_the_warnings_corpus_warns_exactly_as_its_headers_say() -> None:
    files = sorted(CORPUS.glob("*.yaml"))
    assert files
    for path in files:
        header = [WARN.fullmatch(line) for line in path.read_text().splitlines()]
        expected = [f"{path}:{m[1]}: warning: {m[2]}" for m in header if m]
        assert expected, path
        _, warnings = load_scenario_with_warnings(path)  # valid: warnings are not problems
        assert [str(w) for w in warnings] == expected


def test_the_library_has_its_scenarios() -> None:
    assert len(SHIPPED) >= 9


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_validates_without_a_warning(path: Path) -> None:
    scenario, warnings = load_scenario_with_warnings(path)
    assert [str(w) for w in warnings] == []
    assert scenario.sources or scenario.assumptions


def test_no_scenario_doc_example_or_readme_cites_the_design_note() -> None:
    design_note = "DESIGN" + ".md"  # a summary, not evidence: never a source
    files = [ROOT / "README.md"]
    for folder in ("scenarios", "docs", "examples"):
        files += [p for p in (ROOT / folder).rglob("*") if p.is_file()]
    citing = [
        p for p in files if design_note.lower() in p.read_bytes().decode("utf-8", "replace").lower()
    ]
    assert citing == []
