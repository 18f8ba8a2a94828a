"""Drift against a real toxiproxy-server: whoever undoes a fault behind the reconciler's back (a
proxy re-enabled, a toxic removed, a proxy deleted, Toxiproxy restarted), the fault is back in
force within a second and the journal holds exactly one Drift saying what was found, with a
missing time that covers the real gap and stays bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.assertions import Ending, decide, with_drift
from harness.assertions.drift import tally
from harness.errors import HarnessError
from harness.faults.applied import AppliedStore
from harness.faults.reconciler import Reconciler
from harness.faults.toxics import ToxiproxyDriver
from harness.journal import Drift, Event, Transition
from harness.model.scenario import Scenario, ToxicAction
from harness.schedule import Schedule
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer
from tests.integration.faults.conftest import LINKS, make_proxies
from tests.unit.schedule.scenarios import fault, scenario

pytestmark = pytest.mark.integration

LATENCY = ToxicAction("latency", (("jitter", 0), ("latency", 3000)))
BOUND = 1.5  # seconds: a verify every 0.5 s, then the heal and one look to confirm it


class Journal:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self._lock = threading.Lock()

    def write(self, event: Event) -> None:
        with self._lock:
            self.events.append(event)

    @property
    def drifts(self) -> list[Drift]:
        with self._lock:
            return [e for e in self.events if isinstance(e, Drift)]


class Running:
    """reconciler.run() in a thread, as a harness run drives it, journaling to a list."""

    def __init__(
        self, s: Scenario, client: ToxiproxyClient, tmp: Path, restore: Callable[[], None]
    ) -> None:
        self.journal = Journal()
        self.reconciler = Reconciler(
            Schedule(s),
            [ToxiproxyDriver(client, LINKS)],
            self.journal,
            s.clock,
            AppliedStore(tmp / "applied.json", client.api),
            restore_proxies=restore,
        )
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main)
        self.thread.start()

    def _main(self) -> None:
        try:
            self.reconciler.run(self.stop, time.time())
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive()
        problems = self.reconciler.clear()
        self.reconciler.close()
        assert problems == []
        assert self.error is None


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except HarnessError:
            pass
        time.sleep(0.01)
    return False


def link_down(client: ToxiproxyClient, link: str = "a->c") -> Callable[[], bool]:
    def check() -> bool:
        proxy = client.proxy(link)
        return proxy is not None and not proxy.enabled

    return check


def toxic_on(client: ToxiproxyClient, link: str = "b->c") -> Callable[[], bool]:
    def check() -> bool:
        proxy = client.proxy(link)
        toxic = proxy.toxic("dc.slow") if proxy is not None else None
        return toxic is not None and toxic.attributes.get("latency") == 3000

    return check


@pytest.fixture
def world(
    toxiproxy: ToxiproxyClient, echo: str
) -> Iterator[tuple[ToxiproxyClient, Callable[[], None]]]:
    """A Toxiproxy with the test links, and how to put them back (as a backend would)."""
    client = ToxiproxyClient(toxiproxy.api)
    listen = make_proxies(client, echo)

    def restore() -> None:
        client.populate([{"name": n, "listen": a, "upstream": echo} for n, a in listen.items()])

    yield client, restore
    client.close()


def settle(run: Running, in_force: Callable[[], bool]) -> None:
    """The fault in force, and seen so by at least one verify: undoing it now is drift."""
    assert wait_for(in_force, 5.0)
    time.sleep(0.6)


def the_one_drift(run: Running, undone_at: float) -> Drift:
    assert wait_for(lambda: bool(run.journal.drifts), 3.0), "no drift journaled"
    time.sleep(0.6)  # a second one would come with the next verify
    (drift,) = run.journal.drifts
    assert drift.ok
    assert drift.last_seen <= undone_at <= drift.detected <= drift.wall  # covers the real gap
    assert drift.missing == pytest.approx(drift.wall - drift.last_seen)
    assert 0 < drift.missing < BOUND
    return drift


def test_a_proxy_re_enabled_by_hand_is_one_drift_and_goes_down_again(
    world: tuple[ToxiproxyClient, Callable[[], None]], tmp_path: Path
) -> None:
    client, restore = world
    run = Running(scenario(fault("cut"), span=30.0), client, tmp_path, restore)
    try:
        settle(run, link_down(client))
        undone_at = time.time()
        client.set_enabled("a->c", True)
        assert wait_for(link_down(client), BOUND)
        drift = the_one_drift(run, undone_at)
        assert (drift.fault, drift.target, drift.expected) == ("cut", "a->c", "link down")
        assert (drift.found, drift.done) == ("proxy enabled", "re-applied")
    finally:
        run.finish()
    # the heal is no transition: only the schedule's on, and the clearing off
    assert [e.on for e in run.journal.events if isinstance(e, Transition)] == [True, False]


def test_a_toxic_removed_by_hand_is_one_drift_and_is_put_back(
    world: tuple[ToxiproxyClient, Callable[[], None]], tmp_path: Path
) -> None:
    client, restore = world
    s = scenario(fault("slow", LATENCY, links=("b->c",)), span=30.0)
    run = Running(s, client, tmp_path, restore)
    try:
        settle(run, toxic_on(client))
        undone_at = time.time()
        client.remove_toxic("b->c", "dc.slow")
        assert wait_for(toxic_on(client), BOUND)
        drift = the_one_drift(run, undone_at)
        assert drift.expected == "toxic dc.slow latency jitter=0 latency=3000"
        assert (drift.found, drift.done) == ("toxic missing", "re-applied")
    finally:
        run.finish()


def test_a_proxy_deleted_by_hand_is_one_drift_and_comes_back_down(
    world: tuple[ToxiproxyClient, Callable[[], None]], tmp_path: Path
) -> None:
    client, restore = world
    run = Running(scenario(fault("cut"), span=30.0), client, tmp_path, restore)
    try:
        settle(run, link_down(client))
        undone_at = time.time()
        client.delete_proxy("a->c")
        assert wait_for(link_down(client), BOUND)
        drift = the_one_drift(run, undone_at)
        assert (drift.found, drift.done) == ("proxy missing", "restored proxies and re-applied")
    finally:
        run.finish()


def test_a_restarted_toxiproxy_is_one_drift_per_fault_and_the_faults_come_back(
    toxiproxy_binary: str, echo: str, tmp_path: Path
) -> None:
    server = ToxiproxyServer(binary=Path(toxiproxy_binary)).start()
    client = ToxiproxyClient(server.api)
    listen = make_proxies(client, echo)

    def restore() -> None:
        client.populate([{"name": n, "listen": a, "upstream": echo} for n, a in listen.items()])

    s = scenario(fault("cut"), fault("slow", LATENCY, links=("b->c",)), span=30.0)
    run = Running(s, client, tmp_path, restore)
    try:
        settle(run, lambda: link_down(client)() and toxic_on(client)())
        undone_at = time.time()
        assert server.proc is not None
        server.proc.kill()
        server.stop()
        server = ToxiproxyServer(port=server.port, binary=Path(toxiproxy_binary)).start()
        assert wait_for(lambda: link_down(client)() and toxic_on(client)(), 5.0)
        assert wait_for(lambda: len(run.journal.drifts) == 2, 2.0)
        time.sleep(0.6)
        drifts = sorted(run.journal.drifts, key=lambda d: d.fault)
        assert [d.fault for d in drifts] == ["cut", "slow"]
        for drift in drifts:
            assert drift.ok
            assert drift.found.startswith("Toxiproxy "), drift.found  # unreachable/restarted
            assert drift.done == "restored proxies and re-applied"
            assert drift.last_seen <= undone_at <= drift.detected <= drift.wall
            assert 0 < drift.missing < 5.0  # the restart itself takes a while
        run.finish()
    finally:
        run.stop.set()
        run.thread.join(15)
        client.close()
        server.stop()


def test_drift_over_max_drift_makes_the_verdict_an_error_with_exit_3(
    world: tuple[ToxiproxyClient, Callable[[], None]], tmp_path: Path
) -> None:
    client, restore = world
    run = Running(scenario(fault("cut"), span=30.0), client, tmp_path, restore)
    try:
        settle(run, link_down(client))
        undone_at = time.time()
        client.set_enabled("a->c", True)
        drift = the_one_drift(run, undone_at)
    finally:
        run.finish()
    counted = tally(run.journal.events)
    assert decide([], with_drift(Ending(), counted, None)).exit_code == 0  # reported only
    assert decide([], with_drift(Ending(), counted, drift.missing * 2)).exit_code == 0
    verdict = decide([], with_drift(Ending(), counted, drift.missing / 2))
    assert (verdict.status, verdict.exit_code) == ("error", 3)
    assert "faults drifted 1 time" in verdict.reason
