"""One written report of the sample journal, shared by the report tests (drawing takes ~1 s)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.assertions import decide, evaluate
from harness.journal import Event
from harness.model.scenario import Check
from harness.report import ReportFiles, write_reports
from tests.unit.report import sample

CONSOLE_EVERYWHERE = Check(
    "radio console used in every region",
    "via_ratio",
    ">=",
    0.99,
    "dispatchers",
    "region",
    via="console",
)
CHECKS = (*sample.CHECKS, CONSOLE_EVERYWHERE)


@pytest.fixture(scope="package")
def journal() -> list[Event]:
    return sample.journal(3000)


@pytest.fixture(scope="package")
def written(tmp_path_factory: pytest.TempPathFactory, journal: list[Event]) -> ReportFiles:
    run_dir: Path = tmp_path_factory.mktemp("run")
    verdict = decide(evaluate(CHECKS, journal))
    return write_reports(run_dir, sample.META, CHECKS, journal, verdict)
