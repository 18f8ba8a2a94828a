"""Bounds from the `explore:` section, and a schedule as the scenario an example runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.explore.bounds import resolve_bounds
from harness.explore.example import Examples
from harness.explore.schedule import Flapping, Schedule, Trial
from harness.model.scenario import load_scenario
from harness.model.scenario_file import ScenarioFile
from harness.model.source import load_yaml, parse_yaml

ROOT = Path(__file__).resolve().parents[3]
SEPTEMBER = ROOT / "scenarios" / "explore" / "september.yaml"
POLICE_DOWN = Trial("*->police-ict", "down", (), 8 * 3600, 1200)


def examples() -> Examples:
    src = load_yaml(SEPTEMBER)
    explore = src.validate(ScenarioFile).explore
    assert explore is not None
    scenario = load_scenario(SEPTEMBER)
    bounds = resolve_bounds(src, explore, scenario.clock.start, scenario.clock.span)
    return Examples(src.data, SEPTEMBER.parent, bounds)


def test_the_september_bounds_resolve_to_whole_minutes_within_the_clock() -> None:
    b = examples().bounds
    assert (b.earliest, b.latest, b.shortest, b.longest, b.grain) == (28800, 108000, 600, 7200, 60)
    assert b.pace == 600.0  # the shortest window, 10 min, in the 1 s `focus` gives it
    assert b.flap_up == (10800, 1200) and b.toxics[1][1][0].harsh == 2000
    assert [a["name"] for a in b.assertions] == ["112 answered in every region"]


def test_an_example_gives_each_fault_window_its_own_wall_seconds(tmp_path: Path) -> None:
    ex = examples()
    data = ex.data_for(Schedule((POLICE_DOWN,)), 5.0)
    scenario = ex.scenario(data, tmp_path / "e.yaml")
    assert [f.name for f in scenario.faults] == ["explore-1"]
    assert scenario.clock.replay == pytest.approx(7.0)  # 5 s quiet + 1200 s at 600 s/s
    assert scenario.clock.wall_between(8 * 3600, 8 * 3600 + 1200) == pytest.approx(2.0, rel=0.05)
    assert "explore" not in data and data["clock"]["focus"][0]["from"] == "+8h"


def test_the_written_reproducer_loads_where_it_lies_with_the_same_faults(tmp_path: Path) -> None:
    ex = examples()
    flapping = Trial(
        "*->police-ict", "latency", (("latency", 400),), 36000, 3600, Flapping(600, 60)
    )
    data = ex.data_for(Schedule((POLICE_DOWN, flapping)), 5.0)
    path = ex.write(data, tmp_path / "deep" / "reproducer.yaml", "Found by: a test\nline two")
    assert path.read_text().startswith("# Found by: a test\n# line two\n")
    again = load_scenario(path)
    assert [f.name for f in again.faults] == ["explore-1", "explore-2"]
    assert again.topology.name == "meldkamer-nl"


def test_a_target_no_assertion_has_is_refused_naming_the_ones_there_are() -> None:
    text = SEPTEMBER.read_text().replace("target: continuity", "target: nothing like it")
    src = parse_yaml(text, "s.yaml")
    explore = src.validate(ScenarioFile).explore
    assert explore is not None
    with pytest.raises(InvalidInput, match="no assertion named 'nothing like it'"):
        resolve_bounds(src, explore, load_scenario(SEPTEMBER).clock.start, 1e5)


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("{toxics: {down: {}}}", "give links"),
        ("{links: ['*->gms'], toxics: {jitterbug: {}}}", "unknown toxic 'jitterbug'"),
        ("{links: ['*->gms'], toxics: {latency: {lag: [1, 2]}}}", "has no attribute 'lag'"),
        ("{services: [gms]}", "services need at least one of pause"),
        ("{links: ['*->gms'], when: {length: [2h, 1h]}}", "shortest first"),
    ],
)
def test_bad_bounds_are_refused_at_their_line(section: str, message: str) -> None:
    text = SEPTEMBER.read_text().split("explore:")[0] + f"explore: {section}\n"
    with pytest.raises(InvalidInput, match=message):
        parse_yaml(text, "s.yaml").validate(ScenarioFile)
