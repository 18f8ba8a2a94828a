"""The reconciler, with the fake driver and a fake clock: diff, journal, state, healing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import InfrastructureError, InvalidInput, StackError, ToxiproxyError
from harness.faults.applied import AppliedStore
from harness.faults.reconciler import Reconciler
from harness.model.effects import Effect, LinkDown, ProcessFault, Toxic
from harness.model.scenario import Fault, ProcessAction, Ramp, ToxicAction
from harness.schedule import Schedule
from tests.unit.faults.fake_driver import FakeDriver
from tests.unit.faults.fakes import FakeClock, FakeStop, Journal
from tests.unit.schedule.scenarios import fault, scenario

LATENCY = ToxicAction("latency", (("jitter", 0), ("latency", 100)))
START = 1_000_000.0


class Rig:
    """A reconciler over in-memory drivers, a fake clock and a journal list."""

    def __init__(
        self, tmp: Path, *faults: Fault, span: float = 100.0, replay: float = 10.0
    ) -> None:
        self.clock = FakeClock(START)
        self.journal = Journal()
        self.net = FakeDriver("net", (Toxic, LinkDown))
        self.procs = FakeDriver("procs", (ProcessFault,))
        self.state = tmp / "applied.json"
        self.scenario = scenario(*faults, span=span, replay=replay)
        self.restored = 0
        self.reconciler = Reconciler(
            Schedule(self.scenario),
            [self.net, self.procs],
            self.journal,
            self.scenario.clock,
            AppliedStore(self.state, toxiproxy="127.0.0.1:1"),
            now=self.clock.now,
            sleep=self.clock.sleep,
            restore_proxies=self.restore,
            heal_timeout=2.0,
        )
        self.reconciler.wall_start = START

    def restore(self) -> None:
        self.restored += 1

    def at(self, t: float) -> list[object]:
        """Step at scenario time t, with the wall clock where the run would be."""
        self.clock.wall = START + self.scenario.clock.to_wall(t)
        return list(self.reconciler.step(t))

    def listed(self) -> list[dict[str, object]]:
        return [e["effect"] for e in json.loads(self.state.read_text())["effects"]]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(
        tmp_path, fault("cut", window=(10.0, 50.0)), fault("slow", LATENCY, window=(20.0, 30.0))
    )
    yield r
    r.reconciler.close()


def test_a_step_applies_what_is_desired(rig: Rig) -> None:
    rig.at(10.0)
    assert rig.net.calls == [("apply", LinkDown("cut", "a->c"))]
    assert set(rig.reconciler.applied.values()) == {LinkDown("cut", "a->c")}


def test_a_second_step_with_nothing_new_changes_nothing(rig: Rig) -> None:
    rig.at(10.0)
    rig.at(10.0)
    rig.at(15.0)
    assert len(rig.net.calls) == 1
    assert len(rig.journal.transitions) == 1


def test_effects_no_longer_desired_are_removed(rig: Rig) -> None:
    rig.at(25.0)
    rig.at(55.0)
    assert rig.net.active == {}
    assert [op for op, _ in rig.net.calls] == ["apply", "apply", "remove", "remove"]
    assert rig.reconciler.applied == {}


def test_every_change_is_journaled_with_its_due_and_actual_wall_time(rig: Rig) -> None:
    rig.at(10.0)
    rig.clock.wall = START + 2.0  # the step at t=20 (due at wall START+2.0) runs 30 ms late
    rig.clock.wall += 0.03
    rig.reconciler.step(20.5)
    cut, slow = rig.journal.transitions
    assert (cut.fault, cut.effect, cut.target, cut.on, cut.ok) == (
        "cut",
        "down a->c",
        "a->c",
        True,
        True,
    )
    assert cut.scheduled == START + 1.0
    assert slow.scheduled == START + 2.0
    assert slow.lag == pytest.approx(0.03)
    assert slow.t == pytest.approx(20.3)  # scenario time of the actual wall time


def test_each_effect_goes_to_the_driver_that_handles_it(tmp_path: Path) -> None:
    r = Rig(tmp_path, fault("net"), fault("p", ProcessAction("pause"), services=("b",)))
    r.at(1.0)
    assert r.net.calls == [("apply", LinkDown("net", "a->c"))]
    assert r.procs.calls == [("apply", ProcessFault("p", "b", "pause"))]
    r.reconciler.close()


def test_an_effect_no_driver_handles_is_invalid_input(tmp_path: Path) -> None:
    s = scenario(fault("c", ProcessAction("kill", container=True), services=("b",)))
    local_only = FakeDriver("procs", (LinkDown,))
    with pytest.raises(InvalidInput, match="no fault driver on this stack for container kill b"):
        Reconciler(Schedule(s), [local_only], None, s.clock, AppliedStore(tmp_path / "a.json"))


def test_a_ramp_step_updates_the_toxic_in_place(tmp_path: Path) -> None:
    r = Rig(tmp_path, fault("ramp", LATENCY, Ramp("latency", 100, 200, 2)))
    r.at(0.0)
    r.at(50.0)
    first, second = (e for _, e in r.net.calls)
    assert [op for op, _ in r.net.calls] == ["apply", "apply"]  # no removal between steps
    assert first.key == second.key
    assert [(t.effect, t.on) for t in r.journal.transitions] == [
        ("latency a->c downstream jitter=0 latency=100", True),
        ("latency a->c downstream jitter=0 latency=100", False),
        ("latency a->c downstream jitter=0 latency=200", True),
    ]
    r.reconciler.close()


def test_the_applied_state_is_recorded_before_the_step_returns(rig: Rig) -> None:
    rig.at(25.0)
    listed = rig.listed()
    assert sorted(str(e["kind"]) for e in listed) == ["LinkDown", "Toxic"]
    undo = [e["undo"] for e in json.loads(rig.state.read_text())["effects"]]
    assert {"driver": "fake", "name": "net", "label": "down a->c"} in undo


def test_an_effect_is_listed_as_applied_before_the_driver_applies_it(rig: Rig) -> None:
    seen: list[list[dict[str, object]]] = []
    original = rig.net.apply

    def apply_and_look(effect: Effect) -> None:
        seen.append(rig.listed())
        original(effect)

    rig.net.apply = apply_and_look  # type: ignore[method-assign]
    rig.at(10.0)
    assert seen == [[{"kind": "LinkDown", "fault": "cut", "link": "a->c"}]]


def test_a_failed_apply_is_journaled_once_and_retried_on_later_steps(rig: Rig) -> None:
    rig.net.fail(times=3)
    for t in (10.0, 10.05, 10.1, 10.15):
        rig.at(t)
    assert [op for op, _ in rig.net.calls] == ["apply"] * 4
    assert [(tr.ok, tr.error) for tr in rig.journal.transitions] == [
        (False, "fake failure"),
        (True, None),
    ]
    assert set(rig.reconciler.applied.values()) == {LinkDown("cut", "a->c")}


def test_a_change_failing_for_the_heal_timeout_raises(rig: Rig) -> None:
    rig.net.fail(error=ToxiproxyError("Toxiproxy unreachable"))
    rig.at(10.0)
    rig.at(10.5)
    with pytest.raises(ToxiproxyError, match="unreachable"):
        rig.at(10.0 + 2.0 * 10)  # the heal timeout, in scenario time (factor 10)


def test_a_failed_removal_keeps_the_effect_listed(rig: Rig) -> None:
    rig.at(10.0)
    rig.net.fail(lambda op, _: op == "remove")
    rig.at(60.0)
    assert set(rig.reconciler.applied.values()) == {LinkDown("cut", "a->c")}
    assert rig.listed() == [{"kind": "LinkDown", "fault": "cut", "link": "a->c"}]


def test_verify_re_applies_what_a_driver_lost(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.lose(LinkDown("cut", "a->c"))
    assert rig.reconciler.verify() == 1
    assert LinkDown("cut", "a->c") in rig.net.active.values()
    assert rig.journal.probes[0].ok is False
    assert [type(e).__name__ for e in rig.journal.events[-2:]] == ["Probe", "Drift"]


def test_verify_with_everything_in_place_changes_nothing(rig: Rig) -> None:
    rig.at(25.0)
    calls = len(rig.net.calls)
    assert rig.reconciler.verify() == 0
    assert len(rig.net.calls) == calls


def test_verify_restores_the_proxies_when_toxiproxy_lost_them(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.lose()
    rig.net.unreachable = ToxiproxyError("no proxy for a->c (restarted?)")

    def restore() -> None:
        rig.restored += 1
        rig.net.unreachable = None

    rig.reconciler.restore_proxies = restore
    assert rig.reconciler.verify() == 2
    assert rig.restored == 1
    assert len(rig.net.active) == 2


def test_verify_raises_a_toxiproxy_error_when_it_cannot_heal_in_time(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.unreachable = ToxiproxyError("Toxiproxy unreachable")
    with pytest.raises(ToxiproxyError, match="could not be re-applied within 2s"):
        rig.reconciler.verify()
    assert rig.restored > 0
    assert rig.clock.wall >= START + 2.5 + 2.0  # it kept trying for the heal timeout


def test_verify_gives_up_on_effects_that_keep_disappearing(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.observed = lambda: set()  # type: ignore[method-assign]
    with pytest.raises(InfrastructureError, match="keep disappearing"):
        rig.reconciler.verify()


def test_verify_trusts_a_driver_that_cannot_tell(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.lose()
    rig.net.blind = True
    assert rig.reconciler.verify() == 0


def test_clear_removes_everything_and_deletes_the_state_file(rig: Rig) -> None:
    rig.at(25.0)
    assert rig.reconciler.clear() == []
    assert rig.net.active == {}
    assert not rig.state.exists()
    assert [t.on for t in rig.journal.transitions[-2:]] == [False, False]


def test_clear_keeps_what_it_could_not_remove_listed(rig: Rig) -> None:
    rig.at(25.0)
    rig.net.fail(lambda op, e: op == "remove" and isinstance(e, Toxic), error=StackError("stuck"))
    problems = rig.reconciler.clear()
    assert problems == ["latency a->c downstream jitter=0 latency=100: stuck"]
    assert [e["kind"] for e in rig.listed()] == ["Toxic"]


def test_run_follows_the_schedule_until_the_clock_ends(rig: Rig) -> None:
    stop = FakeStop(rig.clock)
    rig.reconciler.run(stop, START)
    on_off = [(t.effect, t.on, round(t.scheduled - START, 6)) for t in rig.journal.transitions]
    assert on_off == [
        ("down a->c", True, 1.0),
        ("latency a->c downstream jitter=0 latency=100", True, 2.0),
        ("latency a->c downstream jitter=0 latency=100", False, 3.0),
        ("down a->c", False, 5.0),
    ]
    assert all(t.lag == pytest.approx(0.0, abs=1e-9) for t in rig.journal.transitions)
    assert rig.net.active == {}
    assert max(stop.waits) <= rig.reconciler.poll


def test_run_returns_when_stopped_and_leaves_the_clearing_to_the_caller(rig: Rig) -> None:
    stop = FakeStop(rig.clock, stop_at=START + 2.5)
    rig.reconciler.run(stop, START)
    assert len(rig.net.active) == 2
    rig.reconciler.clear()
    assert rig.net.active == {}


def test_clear_gives_up_on_what_it_cannot_remove_in_time(tmp_path: Path) -> None:
    r = Rig(tmp_path, fault("a"), fault("b", LATENCY), fault("c", LATENCY))  # all on a->c
    r.at(1.0)
    remove = r.net.remove

    def slow_remove(effect: Effect) -> None:
        r.clock.sleep(0.6)
        remove(effect)

    r.net.remove = slow_remove  # type: ignore[method-assign]
    problems = r.reconciler.clear(timeout=1.0)
    assert len(problems) == 1 and problems[0].endswith("not attempted: out of time")
    assert len(r.listed()) == 1
    r.reconciler.close()
