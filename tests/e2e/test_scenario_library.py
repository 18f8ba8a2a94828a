"""The scenario library (issue 6), run through the project's own pytest plugin: every scenario
runs with its expected verdict, the coupled topology is caught, runs are reproducible and the
September replay shows what was reported - and 112 surviving it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from harness.assertions.view import JournalView
from harness.journal import Transition, read_events
from harness.report.plot import svg_id
from harness.report.timeline import build_timeline
from harness.run import RunResult
from tests.e2e.conftest import SCENARIOS

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _outcome(result: RunResult, name: str) -> bool:
    return next(o.passed for o in result.outcomes if o.name == name)


@pytest.mark.scenario("scenarios/baseline.yaml")
def test_baseline_the_steady_state_holds(scenario_result: RunResult) -> None:
    assert all(o.passed for o in scenario_result.outcomes)


@pytest.mark.parametrize(
    "name", ["latency-storm", "bandwidth-squeeze", "meldkamer-down", "c2000-loss", "gms-down"]
)
def test_every_fault_family_keeps_112_up_and_shows_its_damage(
    run_scenario: Callable[..., RunResult], name: str
) -> None:
    result = run_scenario(SCENARIOS / f"{name}.yaml", duration=15)  # native 20-25 s: CI time
    assert result.verdict == "passed", result.table
    assert _outcome(result, "112 answered in every region")


@pytest.mark.scenario("scenarios/kpn-2019-112.yaml", duration=30, expect="failed")
def test_june_2019_shows_112_itself_cut_and_the_alternative_numbers_working(
    scenario_result: RunResult,
) -> None:
    assert not _outcome(scenario_result, "112 answered in every region")
    assert _outcome(scenario_result, "112 cut in every region, alternate routing cannot help")
    assert _outcome(scenario_result, "the published alternative numbers reach every meldkamer")
    assert _outcome(scenario_result, "112 back after 18:52")
    failed = [o.name for o in scenario_result.outcomes if not o.passed]
    assert failed == ["112 answered in every region"]


def _transitions(result: RunResult) -> list[tuple[str, str, bool]]:
    return [
        (e.fault, e.target, e.on)
        for e in read_events(result.report_dir / "journal.jsonl")
        if isinstance(e, Transition) and e.ok
    ]


def test_the_coupling_regression_is_caught_and_reproducible(
    run_scenario: Callable[..., RunResult], tmp_path: Path
) -> None:
    path = SCENARIOS / "coupling-regression.yaml"
    first = run_scenario(path, duration=15, report_dir=tmp_path / "first")
    second = run_scenario(path, duration=15, report_dir=tmp_path / "second")
    for result in (first, second):
        assert result.verdict == "failed", result.table
        assert not _outcome(result, "112 answered in every region")
    assert _transitions(first) == _transitions(second)
    assert len(_transitions(first)) > 20  # it really flapped


@pytest.mark.scenario("scenarios/september-2020.yaml", duration=60)
def test_september_2020_replays_the_incident_and_112_survives(scenario_result: RunResult) -> None:
    assert all(o.passed for o in scenario_result.outcomes)
    events = list(read_events(scenario_result.report_dir / "journal.jsonl"))
    timeline = build_timeline(JournalView(events))
    spans = [s for s in timeline.faults if s.fault == "police-ict-flapping"]
    per_link = {s.target for s in spans}
    assert len(spans) >= 10 * len(per_link)  # flapping, not one long outage
    outages = {s.fault for s in timeline.faults if s.fault.startswith("police-numbers-down")}
    assert outages == {"police-numbers-down-wednesday", "police-numbers-down-thursday"}
    series = {s.traffic: s for s in timeline.series}
    line_112 = series["callers-112"].success
    assert np.all(line_112[~np.isnan(line_112)] == 1.0)  # the unbroken 112 line
    ratio_0900 = series["callers-0900"].success
    assert np.nanmin(ratio_0900) == 0.0  # the 0900 outages show as drops to zero
    html = (scenario_result.report_dir / "report.html").read_text()
    assert svg_id("fault", "police-ict-flapping", "gms->police-ict") in html
    assert (
        svg_id("fault", "police-numbers-down-thursday", "police-contact-centre->police-ict") in html
    )
