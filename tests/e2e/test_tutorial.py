"""docs/own-system.md, step by step: the example incident desk is started as the team's own
program, passes the September 2020 replay because it degrades, and fails it - exit 1, the
acceptance assertion named - when it is coupled to police ICT. The CI jobs the tutorial ends
with are valid YAML that gate on `harness run` and publish junit.xml and report.html."""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.e2e.conftest import ROOT, Harness, summary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DESK = ROOT / "examples" / "incident-desk"


def replay(harness: Harness, report: Path, *extra: str) -> tuple[int, str]:
    result = harness(
        "run",
        str(DESK / "september.yaml"),
        "--duration",
        "15",
        "--report-dir",
        str(report),
        *extra,
        timeout=180,
    )
    return result.returncode, result.stdout + result.stderr


def test_the_desk_that_degrades_passes_and_the_flapping_really_hit(
    harness: Harness, tmp_path: Path
) -> None:
    code, output = replay(harness, tmp_path / "report")
    assert code == 0, output
    assertions = {a["name"]: a for a in summary(tmp_path / "report")["assertions"]}  # type: ignore[union-attr]
    assert all(a["passed"] for a in assertions.values())
    assert "police ICT flapped during the incident" in assertions  # the damage, measured
    assert (tmp_path / "report" / "junit.xml").is_file()
    assert (tmp_path / "report" / "report.html").is_file()


def test_the_desk_coupled_to_police_ict_fails_the_gate(harness: Harness, tmp_path: Path) -> None:
    strict = DESK / "topology-strict.yaml"
    code, output = replay(harness, tmp_path / "report", "--topology", str(strict))
    assert code == 1, output
    failed = [a["name"] for a in summary(tmp_path / "report")["assertions"] if not a["passed"]]  # type: ignore[union-attr, index]
    assert failed == ["every incident accepted"]


@pytest.mark.parametrize("job", ["github-actions.yml", "gitlab-ci.yml"])
def test_the_ci_jobs_gate_on_the_run_and_publish_its_report(job: str) -> None:
    text = (ROOT / "examples" / "ci" / job).read_text(encoding="utf-8")
    YAML(typ="safe", pure=True).load(text)  # valid YAML
    assert "harness run" in text and "--report-dir reports/september" in text
    assert "reports/september/junit.xml" in text and "reports/september/report.html" in text
