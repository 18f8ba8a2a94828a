"""The reconciler with the real driver and a real toxiproxy-server: the schedule really happens,
and survives (or loudly fails on) a Toxiproxy restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.errors import HarnessError, ToxiproxyError
from harness.faults.applied import AppliedStore
from harness.faults.reconciler import Reconciler
from harness.faults.toxics import ToxiproxyDriver
from harness.model.scenario import Flap, Scenario, ToxicAction
from harness.schedule import Schedule
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer
from tests.integration.faults.conftest import LINKS, make_proxies
from tests.unit.schedule.scenarios import fault, scenario

pytestmark = pytest.mark.integration

LATENCY = ToxicAction("latency", (("jitter", 0), ("latency", 50)))


class Run:
    """reconciler.run() in a thread, as a harness run would drive it."""

    def __init__(self, reconciler: Reconciler, wall_start: float) -> None:
        self.reconciler = reconciler
        self.stop = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, args=(wall_start,))
        self.thread.start()

    def _main(self, wall_start: float) -> None:
        try:
            self.reconciler.run(self.stop, wall_start)
        except BaseException as exc:
            self.error = exc

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(15)
        assert not self.thread.is_alive()


def reconciler(
    s: Scenario,
    client: ToxiproxyClient,
    tmp: Path,
    restore: Callable[[], None] | None = None,
    **options: float,
) -> Reconciler:
    return Reconciler(
        Schedule(s),
        [ToxiproxyDriver(client, LINKS)],
        None,
        s.clock,
        AppliedStore(tmp / "applied.json", client.api),
        restore_proxies=restore,
        **options,  # type: ignore[arg-type]
    )


def wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except HarnessError:
            pass
        time.sleep(0.02)
    return False


def test_a_flapping_link_in_toxiproxy_follows_the_schedule(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    flap = Flap((0.25, 0.4), (0.25, 0.4), first="down")
    s = scenario(fault("flap", pattern=flap, window=(0.2, 2.8)), span=3.0)
    schedule = Schedule(s)
    with reconciler(s, ToxiproxyClient(toxiproxy.api), tmp_path) as r:
        wall_start = time.time() + 0.2
        run = Run(r, wall_start)
        observed: list[tuple[float, bool]] = []  # (wall time, link down) at each change seen
        while run.thread.is_alive() and time.time() < wall_start + 3.5:
            down = not toxiproxy.proxies()["a->c"].enabled
            if not observed or observed[-1][1] != down:
                observed.append((time.time(), down))
            time.sleep(0.005)
        run.finish()
        assert run.error is None
    expected = [(wall_start + tr.t, tr.on) for tr in schedule.transitions()]
    assert len(expected) >= 6
    assert [down for _, down in observed] == [False] + [on for _, on in expected]
    for (seen_at, _), (due, _) in zip(observed[1:], expected, strict=True):
        assert due - 0.01 <= seen_at <= due + 0.15  # transition lag plus our polling


def test_a_restarted_toxiproxy_gets_the_desired_state_back(
    toxiproxy_binary: str, echo: str, tmp_path: Path
) -> None:
    server = ToxiproxyServer(binary=Path(toxiproxy_binary)).start()
    client = ToxiproxyClient(server.api)
    listen = make_proxies(client, echo)

    def restore() -> None:
        client.populate([{"name": n, "listen": a, "upstream": echo} for n, a in listen.items()])

    s = scenario(fault("cut"), fault("slow", LATENCY, links=("b->c",)), span=30.0)
    try:
        with reconciler(s, client, tmp_path, restore, verify_every=0.1) as r:
            run = Run(r, time.time())

            def faults_in_force() -> bool:
                cut, slow = client.proxy("a->c"), client.proxy("b->c")
                return (
                    cut is not None
                    and not cut.enabled
                    and slow is not None
                    and slow.toxic("dc.slow") is not None
                )

            assert wait_for(faults_in_force, 5.0)
            assert server.proc is not None
            server.proc.kill()
            server.stop()
            server = ToxiproxyServer(port=server.port, binary=Path(toxiproxy_binary)).start()
            assert wait_for(faults_in_force, 5.0)
            run.finish()
            assert run.error is None
            assert r.clear() == []
        assert client.proxies()["a->c"].enabled
    finally:
        client.close()
        server.stop()


def test_a_toxiproxy_that_does_not_come_back_fails_the_run_with_a_toxiproxy_error(
    toxiproxy_binary: str, echo: str, tmp_path: Path
) -> None:
    server = ToxiproxyServer(binary=Path(toxiproxy_binary)).start()
    client = ToxiproxyClient(server.api, timeout=0.5, retries=0)
    listen = make_proxies(client, echo)

    def restore() -> None:  # as a backend would: it cannot, Toxiproxy stays away
        client.populate([{"name": n, "listen": a, "upstream": echo} for n, a in listen.items()])

    s = scenario(fault("cut"), span=30.0)
    try:
        with reconciler(
            s,
            client,
            tmp_path,
            lambda: client.proxies() and None,
            verify_every=0.1,
            heal_timeout=1.0,
        ) as r:
            run = Run(r, time.time())
            assert wait_for(lambda: not client.proxies()["a->c"].enabled, 5.0)
            server.stop()
            run.thread.join(5.0)
            assert not run.thread.is_alive()
            assert isinstance(run.error, ToxiproxyError)
            assert "could not be re-applied within 1s" in str(run.error)
            assert run.error.exit_code == 3
            assert r.clear() != []  # nothing to remove it from: it stays listed for cleanup
    finally:
        client.close()
        server.stop()


@pytest.fixture
def many_links(toxiproxy: ToxiproxyClient, echo: str) -> tuple[str, ...]:
    names = tuple(f"l{i}->x" for i in range(24))
    make_proxies(toxiproxy, echo, names)
    return names


def test_clear_removes_dozens_of_effects_in_well_under_a_second(
    toxiproxy: ToxiproxyClient, many_links: tuple[str, ...], tmp_path: Path
) -> None:
    s = scenario(fault("cut", links=many_links), fault("slow", LATENCY, links=many_links))
    with Reconciler(
        Schedule(s),
        [ToxiproxyDriver(ToxiproxyClient(toxiproxy.api), many_links)],
        None,
        s.clock,
        AppliedStore(tmp_path / "applied.json", toxiproxy.api),
    ) as r:
        r.step(1.0)
        assert len(r.applied) == 48
        started = time.monotonic()
        assert r.clear() == []
        took = time.monotonic() - started
    assert took < 1.0
    proxies = toxiproxy.proxies()
    assert all(proxies[n].enabled and proxies[n].toxics == () for n in many_links)
    assert not (tmp_path / "applied.json").exists()


def test_steps_record_each_applied_effect_with_how_to_undo_it(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    import json

    s = scenario(fault("cut"), fault("slow", LATENCY, links=("b->c",)))
    with reconciler(s, ToxiproxyClient(toxiproxy.api), tmp_path) as r:
        r.step(1.0)
        state = json.loads((tmp_path / "applied.json").read_text())
        r.clear()
    assert state["toxiproxy"] == toxiproxy.api
    assert sorted(e["undo"]["proxy"] for e in state["effects"]) == ["a->c", "b->c"]
    assert {e["effect"]["kind"] for e in state["effects"]} == {"LinkDown", "Toxic"}
    assert {"driver": "toxiproxy", "api": toxiproxy.api, "proxy": "b->c", "toxic": "dc.slow"} in [
        e["undo"] for e in state["effects"]
    ]
