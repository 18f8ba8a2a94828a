"""The sample floor: a window that cannot expect enough requests is refused, with the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model import floor
from harness.model.scenario import load_scenario
from harness.paths import project_root

SEPTEMBER = project_root() / "scenarios" / "september-2020.yaml"


def refusal(path: Path, duration: float) -> list[str]:
    with pytest.raises(InvalidInput) as exc:
        floor.check(load_scenario(path).with_overrides(duration))
    return [str(p) for p in exc.value.problems]


def test_september_in_30_s_gives_every_window_its_floor() -> None:
    scenario = floor.check(load_scenario(SEPTEMBER).with_overrides(30))
    wednesday = next(f for f in scenario.floor if "Wednesday" in f.why)
    assert scenario.clock.wall_between(wednesday.start, wednesday.end) >= 20 / 8  # 0900 at 8/s


def test_too_short_a_replay_names_the_window_the_count_and_the_shortest_duration() -> None:
    problems = refusal(SEPTEMBER, 8)
    wednesday = next(p for p in problems if "0900 down on Wednesday morning" in p)
    assert re.match(r".*september-2020\.yaml:\d+: assertion '0900 down on Wednesday morning' "
                    r"\(Wed 16 Sep 09:00 to Wed 16 Sep 09:30\) gets [\d.]+ s of a 8 s replay: "
                    r"[\d.]+ requests expected, at least 20 needed; the shortest duration that "
                    r"works is --duration \d+s$", wednesday)  # fmt: skip


def test_the_shortest_duration_it_names_works_and_one_second_less_does_not() -> None:
    (problem, *_) = refusal(SEPTEMBER, 8)
    shortest = int(re.findall(r"--duration (\d+)s", problem)[0])
    floor.check(load_scenario(SEPTEMBER).with_overrides(shortest))
    assert refusal(SEPTEMBER, shortest - 1)


def test_without_focus_the_same_replay_is_refused_and_focus_auto_is_suggested(
    tmp_path: Path,
) -> None:
    text = SEPTEMBER.read_text().replace(", focus: auto}", "}")
    linear = tmp_path / "september-linear.yaml"
    linear.write_text(
        text.replace("topology: topologies/", f"topology: {SEPTEMBER.parent}/topologies/")
    )
    problems = refusal(linear, 90)  # the file's own duration: 0.7 s for the Wednesday half hour
    assert any("0900 down on Wednesday morning" in p and "focus: auto" in p for p in problems)


def test_a_per_region_window_expects_its_share_of_the_arrivals() -> None:
    scenario = load_scenario(SEPTEMBER)
    console = next(f for f in scenario.floor if "radio console degraded in Rotterdam" in f.why)
    assert console.wall == pytest.approx(20 / (10 / 5))  # dispatchers 10/s over five regions


def test_explicit_focus_windows_get_the_wall_seconds_they_ask_for(tmp_path: Path) -> None:
    focus = "focus: [{from: 2020-09-16T09:00, until: 2020-09-16T09:30, replay: 4s}]"
    text = SEPTEMBER.read_text().replace("focus: auto", focus)
    path = tmp_path / "september-focus.yaml"
    path.write_text(
        text.replace("topology: topologies/", f"topology: {SEPTEMBER.parent}/topologies/")
    )
    clock = load_scenario(path).with_overrides(60).clock
    wednesday = 33 * 3600.0  # 2020-09-16T09:00, in seconds since the clock's start
    assert clock.wall_between(wednesday, wednesday + 1800) == pytest.approx(4.0)
    assert [f.why for f in clock.focus] == ["focus window 1"]


COUPLING = project_root() / "scenarios" / "coupling-regression.yaml"


def test_unexpected_damage_needs_its_samples_in_every_fault_window_and_with_no_fault_on() -> None:
    """A cell is judged by 20 requests on each side (damage.py): 112 at 20/s over five
    regions is 4/s a region, so 5 s in each fault's window and 5 s more with none on."""
    scenario = load_scenario(COUPLING)
    damage = [f for f in scenario.floor if "unexpected_damage" in f.why]
    faults = [f for f in damage if "a fault's window" in f.why]
    assert [(f.start, f.end) for f in faults] == [
        (x.window.start, x.window.end) for x in scenario.faults
    ]
    assert all(f.wall == pytest.approx(20 / (20 / 5)) for f in faults)
    (quiet,) = (f for f in damage if "no fault on" in f.why)
    assert quiet.wall == pytest.approx(5.0 * (1 + len(scenario.faults)))


def test_a_coupling_regression_too_short_to_judge_its_cells_is_refused() -> None:
    shortest = floor.shortest(load_scenario(COUPLING))
    assert shortest is not None
    problems = refusal(COUPLING, shortest - 1)
    assert any("assertion 'unexpected_damage' (callers-112, 4/s a region)" in p for p in problems)
