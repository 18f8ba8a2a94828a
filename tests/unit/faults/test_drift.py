"""Drift events: what verify() journals when an applied fault went missing and it healed it
(the fake driver and a fake clock: no sockets, no sleeps)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import ToxiproxyError
from harness.faults.applied import AppliedStore
from harness.faults.drift import expected
from harness.faults.reconciler import Reconciler
from harness.journal import Drift, decode
from harness.model.effects import AppFault, LinkDown, ProcessFault, Toxic
from harness.model.scenario import ToxicAction
from harness.schedule import Schedule
from tests.unit.faults.fake_driver import FakeDriver
from tests.unit.faults.fakes import FakeClock, Journal
from tests.unit.schedule.scenarios import fault, scenario

START = 1_000_000.0
LATENCY = ToxicAction("latency", (("latency", 3000),))
CUT = LinkDown("cut", "a->c")
SLOW = Toxic("slow", "b->c", "latency", attributes=(("latency", 3000),))


class Rig:
    def __init__(self, tmp: Path) -> None:
        self.clock = FakeClock(START)
        self.journal = Journal()
        self.net = FakeDriver("net", (Toxic, LinkDown))
        s = scenario(fault("cut"), fault("slow", LATENCY, links=("b->c",)), span=100.0)
        self.restored = 0
        self.reconciler = Reconciler(
            Schedule(s),
            [self.net],
            self.journal,
            s.clock,
            AppliedStore(tmp / "applied.json", toxiproxy="127.0.0.1:1"),
            now=self.clock.now,
            sleep=self.clock.sleep,
            restore_proxies=self.restore,
            heal_timeout=2.0,
        )
        self.reconciler.wall_start = START
        self.reconciler.step(10.0)  # both faults applied at START

    def restore(self) -> None:
        self.restored += 1
        self.net.unreachable = None

    def verify_at(self, wall: float) -> int:
        self.clock.wall = wall
        return self.reconciler.verify()

    @property
    def drifts(self) -> list[Drift]:
        return [e for e in self.journal.events if isinstance(e, Drift)]


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[Rig]:
    r = Rig(tmp_path)
    yield r
    r.reconciler.close()


def test_a_fault_found_missing_is_journaled_as_one_drift_with_what_was_expected_and_found(
    rig: Rig,
) -> None:
    rig.net.lose(CUT, found="proxy enabled")
    assert rig.verify_at(START + 0.5) == 1
    (drift,) = rig.drifts
    assert (drift.fault, drift.effect, drift.target) == ("cut", "down a->c", "a->c")
    assert (drift.expected, drift.found, drift.done) == ("link down", "proxy enabled", "re-applied")
    assert drift.ok
    assert CUT in rig.net.active.values()


def test_the_missing_time_runs_from_the_apply_to_the_observation_back_in_force(
    rig: Rig,
) -> None:
    rig.net.lose(CUT)
    rig.verify_at(START + 0.5)
    (drift,) = rig.drifts
    assert drift.last_seen == START  # applied then, never observed since
    assert drift.detected == START + 0.5
    assert drift.wall == START + 0.55  # observed back one look (50 ms) after the re-apply
    assert drift.missing == pytest.approx(0.55)


def test_the_missing_time_starts_at_the_last_verify_that_saw_the_fault_in_force(
    rig: Rig,
) -> None:
    assert rig.verify_at(START + 0.5) == 0
    rig.net.lose(SLOW, found="toxic missing")
    rig.verify_at(START + 1.0)
    (drift,) = rig.drifts
    assert drift.last_seen == START + 0.5
    assert drift.missing == pytest.approx(0.55)
    assert drift.expected == "toxic dc.slow latency latency=3000"


def test_the_healing_re_apply_is_not_journaled_as_a_transition(rig: Rig) -> None:
    transitions = len(rig.journal.transitions)
    rig.net.lose(CUT)
    rig.verify_at(START + 0.5)
    assert len(rig.journal.transitions) == transitions
    assert len(rig.drifts) == 1


def test_nothing_missing_means_no_drift(rig: Rig) -> None:
    rig.verify_at(START + 0.5)
    rig.verify_at(START + 1.0)
    assert rig.drifts == []


def test_each_effect_lost_in_a_restart_gets_its_own_drift_and_the_restore_is_told(
    rig: Rig,
) -> None:
    rig.net.lose(found="Toxiproxy restarted (all proxies gone)")
    rig.net.unreachable = ToxiproxyError("no proxy for a->c (restarted?)")
    assert rig.verify_at(START + 0.5) == 2
    assert rig.restored == 1
    assert sorted(d.fault for d in rig.drifts) == ["cut", "slow"]
    assert {d.done for d in rig.drifts} == {"restored proxies and re-applied"}
    assert {d.found for d in rig.drifts} == {"Toxiproxy restarted (all proxies gone)"}


def test_a_driver_that_could_not_be_asked_for_a_moment_is_no_drift_when_all_is_in_force(
    rig: Rig,
) -> None:
    rig.net.unreachable = ToxiproxyError("timed out")
    assert rig.verify_at(START + 0.5) == 0  # restore() makes it reachable, nothing was lost
    assert rig.drifts == []


def test_a_fault_that_could_not_be_re_applied_is_a_failed_drift_still_missing(
    rig: Rig,
) -> None:
    rig.net.lose(CUT, found="Toxiproxy unreachable")
    rig.net.fail(lambda op, e: op == "apply", error=ToxiproxyError("connection refused"))
    with pytest.raises(ToxiproxyError, match="could not be re-applied within 2s"):
        rig.verify_at(START + 0.5)
    (drift,) = rig.drifts
    assert not drift.ok
    assert drift.found == "Toxiproxy unreachable"
    assert drift.done.startswith("could not re-apply: ")
    assert drift.missing >= 2.5  # gone since the apply, and still gone when it gave up


def test_effects_whose_driver_stayed_unreachable_are_failed_drifts(rig: Rig) -> None:
    rig.reconciler.restore_proxies = None
    rig.net.unreachable = ToxiproxyError("connection refused")
    with pytest.raises(ToxiproxyError):
        rig.verify_at(START + 0.5)
    assert sorted(d.fault for d in rig.drifts) == ["cut", "slow"]
    assert all(not d.ok and d.detected == START + 0.5 for d in rig.drifts)
    assert {d.found for d in rig.drifts} == {"not observed"}


def test_a_drift_survives_the_journal_round_trip() -> None:
    drift = Drift(
        5.0, 1.0, "cut", "down a->c", "a->c", "link down", "x", "re-applied", 4.0, 4.5, 1.0
    )
    assert decode(drift.to_json()) == drift


def test_expected_says_what_each_kind_of_effect_in_force_looks_like() -> None:
    assert expected(CUT) == "link down"
    assert expected(SLOW) == "toxic dc.slow latency latency=3000"
    assert (
        expected(Toxic("s", "a->c", "timeout", "upstream", 0.5, (("timeout", 0),)))
        == "toxic dc.s timeout timeout=0 upstream toxicity=0.5"
    )
    assert expected(ProcessFault("p", "gms", "pause")) == "process paused"
    assert expected(ProcessFault("k", "gms", "kill", container=True)) == "container down"
    assert expected(AppFault("e", "gms", (("mode", "http"), ("status", 500)))) == (
        "app fault dc.e mode=http status=500"
    )
