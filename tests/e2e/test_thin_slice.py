"""Issue 2's thin slice: 112 calls through a proxy that goes down, one assertion, a verdict.

`harness run` exits 0 when the assertion holds and 1 when a stricter variant of the same
scenario does not, with a verdict on the console and the reports on disk.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.e2e.conftest import DATA, Harness, summary

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_slice_passes_when_its_assertion_holds(harness: Harness, tmp_path: Path) -> None:
    report = tmp_path / "report"
    run = harness("run", str(DATA / "thin-slice.yaml"), "--report-dir", str(report))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "verdict: PASSED" in run.stderr
    data = summary(report)
    assert data["verdict"] == "passed"
    (outcome,) = data["assertions"]  # type: ignore[misc]
    # the link really went down: calls failed during the fault, but no more than tolerated
    assert 0.6 <= outcome["observed"] < 0.95
    assert {"journal.jsonl", "junit.xml", "report.html", "summary.json"} <= {
        p.name for p in report.iterdir()
    }


def test_a_stricter_variant_fails_with_exit_1_and_says_why(
    harness: Harness, tmp_path: Path
) -> None:
    report = tmp_path / "report"
    run = harness("run", str(DATA / "thin-slice-strict.yaml"), "--report-dir", str(report))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "verdict: FAILED" in run.stderr
    assert summary(report)["verdict"] == "failed"
    junit = ET.parse(report / "junit.xml").getroot()
    failures = junit.findall(".//testcase/failure")
    assert len(failures) == 1
    assert "every 112 call answered" in (failures[0].get("message") or "") + ET.tostring(
        junit, encoding="unicode"
    )


def test_by_default_the_report_lands_in_reports_and_no_stack_is_left_behind(
    harness: Harness, tmp_path: Path
) -> None:
    run = harness("run", str(DATA / "thin-slice.yaml"), "--duration", "3", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    (report,) = (tmp_path / "reports").iterdir()
    assert report.name.startswith("thin-slice-20")  # reports/<scenario>-<UTC time>/
    assert (report / "report.html").exists()
    assert "report.html" in run.stderr
    assert not (harness.state_dir / "stack.json").exists()
    status = harness("status", "--json")
    assert status.returncode == 3
    assert '"up": false' in status.stdout
