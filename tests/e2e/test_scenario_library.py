"""The scenario library (issue 6), run through the project's own pytest plugin: every scenario
runs with its expected verdict, the coupled topology is caught, runs are reproducible and the
September replay shows what was reported - and 112 surviving it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from harness.assertions.view import JournalView
from harness.journal import Request, Transition, read_events
from harness.model import floor
from harness.model.scenario import load_scenario
from harness.report.plot import svg_id
from harness.report.timeline import build_timeline
from harness.run import RunResult
from tests.e2e.conftest import SCENARIOS, RunOnStacks

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _outcome(result: RunResult, name: str) -> bool:
    return next(o.passed for o in result.outcomes if o.name == name)


@pytest.mark.scenario("scenarios/baseline.yaml", duration=7)  # a third of its 20 s
def test_baseline_the_steady_state_holds_at_a_third_of_its_duration(
    scenario_result: RunResult,
) -> None:
    assert all(o.passed for o in scenario_result.outcomes)


# Every scenario of the library and the verdict it must reach: the replays of an outage of 112
# itself (KPN 2019) and of a coupling fail, as they did; every other one passes. Each is run
# once at a third of its duration (fewer samples and a faster clock: the harder test) by the
# tests below; September also at its default duration, which is what `make demo` runs.
LIBRARY = {
    "baseline": "passed",
    "latency-storm": "passed",
    "bandwidth-squeeze": "passed",
    "meldkamer-down": "passed",
    "c2000-loss": "passed",
    "gms-down": "passed",
    "coupling-regression": "failed",
    "kpn-2019-112": "failed",
    "september-2020": "passed",
}


def _default_replay(name: str) -> float:
    return load_scenario(SCENARIOS / f"{name}.yaml").clock.replay


def test_the_library_is_all_here() -> None:
    assert {p.stem for p in SCENARIOS.glob("*.yaml")} == set(LIBRARY)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_scenario_can_be_judged_at_its_default_duration(name: str) -> None:
    floor.check(load_scenario(SCENARIOS / f"{name}.yaml"))  # every window gets its samples


def test_the_demo_replays_september_at_its_default_duration(run_on_stacks: RunOnStacks) -> None:
    result = run_on_stacks(SCENARIOS / "september-2020.yaml")
    assert result.verdict == LIBRARY["september-2020"], result.table


@pytest.mark.parametrize(
    "name", ["latency-storm", "bandwidth-squeeze", "meldkamer-down", "c2000-loss", "gms-down"]
)
def test_every_fault_family_keeps_112_up_and_shows_its_damage_at_a_third_of_its_duration(
    run_scenario: Callable[..., RunResult], name: str
) -> None:
    third = math.ceil(_default_replay(name) / 3)
    result = run_scenario(SCENARIOS / f"{name}.yaml", duration=third)
    assert result.verdict == LIBRARY[name], result.table
    assert _outcome(result, "112 answered in every region")


def test_june_2019_shows_112_itself_cut_and_the_alternative_numbers_working(
    run_on_stacks: RunOnStacks,
) -> None:
    scenario_result = run_on_stacks(SCENARIOS / "kpn-2019-112.yaml", duration=20)  # a third
    assert scenario_result.verdict == "failed", scenario_result.table
    assert not _outcome(scenario_result, "112 answered in every region")
    # four copies: the next copy saves one copy's failure, nothing saves all four's
    assert _outcome(scenario_result, "one copy down, the next copy saves 112")
    assert _outcome(scenario_result, "112 cut in every region, alternate routing cannot help")
    assert _outcome(scenario_result, "the published alternative numbers reach every meldkamer")
    assert _outcome(scenario_result, "112 back after 18:52")
    failed = [o.name for o in scenario_result.outcomes if not o.passed]
    assert failed == ["112 answered in every region"]
    # 0900 callers who failed redialled, and some then tried 112: journaled as 112 callers
    events = read_events(scenario_result.report_dir / "journal.jsonl")
    calls = [e for e in events if isinstance(e, Request) and e.name.startswith("INVITE")]
    assert any(e.traffic == "callers-0900" and "(redial 1)" in e.name for e in calls)
    spilled = [e for e in calls if e.name.endswith("(spilled from callers-0900)")]
    assert spilled and {e.traffic for e in spilled} == {"callers-112"}


def _transitions(result: RunResult) -> list[tuple[str, str, bool]]:
    return [
        (e.fault, e.target, e.on)
        for e in read_events(result.report_dir / "journal.jsonl")
        if isinstance(e, Transition) and e.ok
    ]


def test_the_coupling_regression_is_caught_and_reproducible(
    run_on_stacks: RunOnStacks, tmp_path: Path
) -> None:
    path = SCENARIOS / "coupling-regression.yaml"
    first = run_on_stacks(path, duration=10, report_dir=tmp_path / "first")  # a third of 30 s
    second = run_on_stacks(path, duration=10, report_dir=tmp_path / "second")
    for result in (first, second):
        assert result.verdict == "failed", result.table
        assert not _outcome(result, "112 answered in every region")
    assert _transitions(first) == _transitions(second)
    assert len(_transitions(first)) > 20  # it really flapped
    _explains_112_failed_because_answering_needed_police_ict(first)
    _flags_the_coupling_as_unexpected_damage_to_112(first)


def _flags_the_coupling_as_unexpected_damage_to_112(result: RunResult) -> None:
    """Against its design (meldkamer-nl.yaml) police ICT must not reach 112: the damage it did
    is unexpected, found without reading any 112 assertion."""
    summary = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    hidden = [c for c in summary["blast_radius"]["cells"] if c["status"] == "unexpected damage"]
    assert hidden and {(c["fault"], c["traffic"]) for c in hidden} == {
        ("police-ict-flapping", "callers-112")
    }, summary["blast_radius"]
    assert not _outcome(result, "no hidden coupling")
    html = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert "cells of unexpected damage: hidden coupling" in html


def _explains_112_failed_because_answering_needed_police_ict(result: RunResult) -> None:
    """The report says why without the code: most failed calls were refused by a meldkamer
    whose police-ict lookup failed, while the police-ict fault was on."""
    summary = json.loads((result.report_dir / "summary.json").read_text(encoding="utf-8"))
    failed = next(a for a in summary["assertions"] if a["name"] == "112 answered in every region")
    why = failed["why"]
    top = why["causes"][0]
    assert top["code"].startswith("503") and top["why"].startswith("police-ict unreachable")
    assert all(agent.startswith("meldkamer-") for agent in top["from"])
    assert top["count"] > why["count"] / 2, why
    assert why["faults"][0]["fault"] == "police-ict-flapping"
    html = (result.report_dir / "report.html").read_text(encoding="utf-8")
    assert "police-ict unreachable" in html[html.index('class="why"') :]


@pytest.mark.scenario("scenarios/september-2020.yaml", duration=30)  # a third of its 90 s
def test_september_2020_in_30_s_replays_the_incident_and_112_survives(
    scenario_result: RunResult,
) -> None:
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
