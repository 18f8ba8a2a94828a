"""junit.xml: one testsuite, one testcase per assertion, failures say observed vs wanted."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from harness.assertions import evaluate
from harness.journal import Event
from harness.report import ReportFiles
from tests.unit.report.conftest import CHECKS


@pytest.fixture
def suite(written: ReportFiles) -> ET.Element:
    return ET.parse(written.junit).getroot()


def test_is_one_testsuite_with_one_testcase_per_assertion(suite: ET.Element) -> None:
    assert suite.tag == "testsuite"
    assert suite.get("name") == "dispatch-chaos.september-2020"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c.name for c in CHECKS]
    assert suite.get("tests") == str(len(CHECKS))


def test_a_failing_assertion_has_a_failure_with_observed_and_wanted(suite: ET.Element) -> None:
    (case,) = [
        c
        for c in suite.findall("testcase")
        if c.get("name") == "radio console used in every region"
    ]
    failure = case.find("failure")
    assert failure is not None
    message = failure.get("message", "")
    assert message.startswith("observed ")
    assert "wanted ≥ 99 %" in message
    assert "worst region:" in message
    assert "FAIL rotterdam" in (failure.text or "")
    assert "ok   midden-nederland" in (failure.text or "")


def test_only_failing_assertions_have_a_failure(suite: ET.Element, journal: list[Event]) -> None:
    failing = {o.name for o in evaluate(CHECKS, journal) if not o.passed}
    assert "no incident lost" not in failing
    with_failure = {
        c.get("name") for c in suite.findall("testcase") if c.find("failure") is not None
    }
    assert with_failure == failing
    assert suite.get("failures") == str(len(failing))


def test_records_the_verdict_as_properties(suite: ET.Element) -> None:
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["verdict"] == "failed"
    assert props["exit_code"] == "1"
    assert props["seed"] == "20200915"
