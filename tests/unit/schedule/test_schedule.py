"""The schedule: which effects a scenario wants at scenario time t."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.effects import AppFault, LinkDown, ProcessFault, Toxic
from harness.model.scenario import AppAction, Flap, ProcessAction, Ramp, ToxicAction
from harness.schedule import Schedule
from tests.unit.schedule.scenarios import fault, scenario

LATENCY = ToxicAction("latency", (("jitter", 0), ("latency", 3000)), "upstream", 0.5)


def serialised(schedule: Schedule) -> str:
    return json.dumps(
        [
            [tr.t, tr.on, type(tr.effect).__name__, asdict(tr.effect)]
            for tr in schedule.transitions()
        ]
    )


def test_a_steady_fault_is_on_for_its_whole_window() -> None:
    s = Schedule(scenario(fault(window=(10.0, 20.0))))
    assert s.desired(9.999) == frozenset()
    assert s.desired(10.0) == {LinkDown("f", "a->c")}
    assert s.desired(19.999) == {LinkDown("f", "a->c")}
    assert s.desired(20.0) == frozenset()


def test_a_down_toxic_becomes_one_link_down_per_link() -> None:
    s = Schedule(scenario(fault(links=("a->c", "b->c"))))
    assert s.desired(1.0) == {LinkDown("f", "a->c"), LinkDown("f", "b->c")}


def test_other_toxics_become_one_toxic_per_link_with_the_actions_attributes() -> None:
    s = Schedule(scenario(fault(action=LATENCY, links=("a->c", "c->d"))))
    assert s.desired(1.0) == {
        Toxic("f", link, "latency", "upstream", 0.5, (("jitter", 0), ("latency", 3000)))
        for link in ("a->c", "c->d")
    }


def test_process_actions_become_process_faults_with_the_container_flag() -> None:
    local = fault("p", ProcessAction("pause"), services=("a", "b"))
    docker = fault("k", ProcessAction("kill", container=True), services=("c",))
    s = Schedule(scenario(local, docker))
    assert s.desired(1.0) == {
        ProcessFault("p", "a", "pause"),
        ProcessFault("p", "b", "pause"),
        ProcessFault("k", "c", "kill", container=True),
    }


def test_app_actions_become_one_app_fault_per_service() -> None:
    spec = (("mode", "sip"), ("status", 503))
    s = Schedule(scenario(fault("x", AppAction(spec), services=("a", "d"))))
    assert s.desired(1.0) == {AppFault("x", "a", spec), AppFault("x", "d", spec)}


def test_every_on_window_of_a_flapping_restart_is_a_new_epoch() -> None:
    flap = Flap((5.0, 5.0), (1.0, 1.0), first="down")
    s = Schedule(scenario(fault("r", ProcessAction("restart"), flap, services=("a",))))
    ons = [tr.effect for tr in s.transitions() if tr.on]
    assert [e.epoch for e in ons if isinstance(e, ProcessFault)] == list(range(len(ons)))
    assert len({e.key for e in ons}) == len(ons) > 10


def test_a_flapping_pause_keeps_one_key() -> None:
    flap = Flap((5.0, 5.0), (1.0, 1.0))
    s = Schedule(scenario(fault("p", ProcessAction("pause"), flap, services=("a",))))
    assert {tr.effect for tr in s.transitions()} == {ProcessFault("p", "a", "pause")}


def test_a_ramp_steps_the_attribute_in_equal_sub_windows_from_from_to_to() -> None:
    ramp = Ramp("latency", 0, 3000, 4)
    s = Schedule(scenario(fault(action=LATENCY, pattern=ramp, window=(20.0, 60.0))))
    values = [
        dict(e.attributes)["latency"]
        for t in (20, 30, 40, 50)
        for e in s.desired(t)
        if isinstance(e, Toxic)
    ]
    assert values == [0, 1000, 2000, 3000]
    assert s.desired(60.0) == frozenset()
    assert {e.key for t in (20, 30, 40, 50) for e in s.desired(t)} == {("a->c", "dc.f")}
    assert [tr.t for tr in s.transitions()] == [20, 30, 30, 40, 40, 50, 50, 60]


def test_a_ramp_keeps_the_other_attributes_of_the_action() -> None:
    s = Schedule(scenario(fault(action=LATENCY, pattern=Ramp("jitter", 10, 20, 2))))
    (effect,) = s.desired(99.0)
    assert isinstance(effect, Toxic)
    assert dict(effect.attributes) == {"jitter": 20, "latency": 3000}


def test_a_one_step_ramp_holds_its_to_value() -> None:
    s = Schedule(scenario(fault(action=LATENCY, pattern=Ramp("latency", 100, 700, 1))))
    (effect,) = s.desired(0.0)
    assert isinstance(effect, Toxic)
    assert dict(effect.attributes)["latency"] == 700


def test_ramp_steps_that_round_to_one_value_do_not_switch_the_toxic_off_and_on() -> None:
    s = Schedule(scenario(fault(action=LATENCY, pattern=Ramp("latency", 5, 5, 10))))
    assert [(tr.t, tr.on) for tr in s.transitions()] == [(0.0, True), (100.0, False)]


def test_at_one_instant_switching_off_comes_before_switching_on() -> None:
    s = Schedule(scenario(fault(action=LATENCY, pattern=Ramp("latency", 0, 10, 2))))
    at_50 = [tr.on for tr in s.transitions() if tr.t == 50.0]
    assert at_50 == [False, True]


def test_a_flap_whose_first_period_is_down_starts_with_the_fault_on() -> None:
    down_first = Schedule(scenario(fault(pattern=Flap((10, 20), (1, 2), first="down"))))
    up_first = Schedule(scenario(fault(pattern=Flap((10, 20), (1, 2), first="up"))))
    assert down_first.desired(0.0) == {LinkDown("f", "a->c")}
    assert up_first.desired(0.0) == frozenset()


def test_targets_of_one_fault_flap_together_unless_independent() -> None:
    links = ("a->c", "b->c", "c->d")
    together = Schedule(scenario(fault(pattern=Flap((1, 9), (1, 9)), links=links)))
    apart = Schedule(scenario(fault(pattern=Flap((1, 9), (1, 9), independent=True), links=links)))

    def switch_times(s: Schedule, link: str) -> list[float]:
        return [tr.t for tr in s.transitions() if tr.effect.target == link]

    assert (
        switch_times(together, "a->c")
        == switch_times(together, "b->c")
        == switch_times(together, "c->d")
    )
    assert len({tuple(switch_times(apart, link)) for link in links}) == 3


def test_same_scenario_and_seed_give_the_same_transitions_byte_for_byte() -> None:
    def build() -> Schedule:
        flap = Flap((1, 9), (0.5, 3), independent=True)
        return Schedule(
            scenario(
                fault("net", pattern=flap, links=("a->c", "b->c")),
                fault("slow", LATENCY, Ramp("latency", 0, 500, 7), window=(10, 90)),
                fault("r", ProcessAction("restart"), Flap((5, 10), (1, 2)), services=("d",)),
                seed=20200915,
            )
        )

    first, second = build(), build()
    assert serialised(first) == serialised(second)
    assert len(first.transitions()) > 20


def test_transitions_do_not_depend_on_the_process_hash_seed() -> None:
    program = (
        "from tests.unit.schedule.test_schedule import serialised\n"
        "from tests.unit.schedule.scenarios import fault, scenario\n"
        "from harness.model.scenario import Flap\n"
        "from harness.schedule import Schedule\n"
        "f = fault('net', pattern=Flap((1, 9), (0.5, 3), independent=True), links=('a->c', 'b->c'))\n"
        "print(serialised(Schedule(scenario(f, seed=3))))\n"
    )
    root = Path(__file__).resolve().parents[3]
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        for hash_seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs.pop().startswith("[[")


def test_a_different_seed_gives_different_flaps() -> None:
    f = fault(pattern=Flap((1, 9), (1, 9)))
    assert serialised(Schedule(scenario(f, seed=1))) != serialised(Schedule(scenario(f, seed=2)))


def test_next_change_is_the_first_change_after_t_and_none_after_the_last() -> None:
    s = Schedule(scenario(fault(window=(10.0, 20.0))))
    assert s.next_change(0.0) == 10.0
    assert s.next_change(10.0) == 20.0
    assert s.next_change(20.0) is None


def test_nothing_is_desired_at_or_after_the_clock_end() -> None:
    s = Schedule(scenario(fault(window=(0.0, 100.0)), span=100.0))
    assert s.desired(99.9) == {LinkDown("f", "a->c")}
    assert s.desired(100.0) == frozenset()
    assert s.desired(1e9) == frozenset()


def test_a_flap_that_switches_too_often_is_invalid_input() -> None:
    f = fault(pattern=Flap((0.001, 0.001), (0.001, 0.001)), window=(0.0, 1000.0))
    with pytest.raises(InvalidInput, match="more than 100000 times"):
        Schedule(scenario(f, span=1000.0))


def test_due_tells_when_an_effect_last_had_to_switch() -> None:
    s = Schedule(scenario(fault(window=(10.0, 20.0))))
    effect = LinkDown("f", "a->c")
    assert s.due(effect, True, 15.0) == 10.0
    assert s.due(effect, False, 15.0) is None
    assert s.due(effect, False, 25.0) == 20.0
    assert s.due(LinkDown("other", "a->c"), True, 15.0) is None
