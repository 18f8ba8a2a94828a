"""report.html: one self-contained file with the assertion table and the timeline SVG."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from harness.assertions import Verdict, evaluate
from harness.assertions.view import JournalView
from harness.model.scenario import Check
from harness.report import ReportFiles
from harness.report.html import report_html
from harness.report.meta import ScenarioMeta
from tests.unit.assertions.journals import req, run
from tests.unit.report import sample


@pytest.fixture
def html(written: ReportFiles) -> str:
    return written.html.read_text(encoding="utf-8")


class _Refs(HTMLParser):
    """Every resource a browser would fetch: src/href attributes, <link>, <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.refs += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href")]


def test_is_self_contained(html: str) -> None:
    parser = _Refs()
    parser.feed(html)
    assert not parser.tags & {"script", "link", "img", "iframe", "object"}
    assert all(ref.startswith("#") for ref in parser.refs), parser.refs  # in-page only
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@import" not in html


def test_has_the_timeline_svg_with_fault_windows_per_link(html: str) -> None:
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'class="timeline"' in svg
    for link in ("gms--police-ict", "office--police-ict", "radio-console-rotterdam--police-ict"):
        assert f'id="fault-police-ict-down-{link}"' in svg
    assert "Success ratio per traffic class" in svg
    assert "Latency of successful requests" in svg


def test_has_the_header_sources_and_verdict(html: str) -> None:
    assert "<h1>september-2020</h1>" in html
    assert "Kamerbrief 25-09-2020, kenmerk 3031287" in html
    assert 'class="badge failed"' in html


def test_lists_each_assertion_with_readable_values(html: str) -> None:
    assert "112 answered in every region" in html
    assert "≥ 99.9 %" in html
    assert "≤ 2s" in html
    assert re.search(r"<td class=\"num\">[\d.]+ ms", html)  # latency in ms


def test_shows_per_region_detail_open_for_failures(html: str) -> None:
    failing = html[html.index("radio console used in every region") :]
    assert "<details open>" in failing
    assert "zeeland-west-brabant" in failing


def test_escapes_names_from_the_scenario() -> None:
    check = Check("<script>alert(1)</script>", "requests", ">=", 1, "callers-112")
    events = run(req(1))
    outcomes = evaluate([check], events)
    page = report_html(ScenarioMeta("x<y"), JournalView(events), outcomes, Verdict("passed", 0))
    assert "<h1>x&lt;y</h1>" in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_marks_a_halt_on_the_timeline() -> None:
    events = sample.journal(500, halted_at=150_000)
    page = report_html(sample.META, JournalView(events), [], Verdict("halted", 1, "halt"))
    assert 'id="halt-faults-112-keeps-answering"' in page
    assert "not reached" in page
    assert "scenario reached" in page
