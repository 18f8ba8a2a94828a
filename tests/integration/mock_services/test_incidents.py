"""Incidents reach GMS exactly once: buffered while GMS is unreachable, kept across kill -9."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.caller import Caller
from tests.integration.mock_services.world import World

pytestmark = pytest.mark.integration

SERVICES = [
    "telephony",
    "meldkamer-rotterdam",
    "meldkamer-zeeland-west-brabant",
    "gms",
    "police-ict",
]
FAST_FLUSH = {name: {"flush_interval": 0.1} for name in SERVICES if name.startswith("meldkamer")}


@pytest.fixture
def world(module_toxiproxy: ToxiproxyClient, tmp_path: Path) -> Iterator[World]:
    with World(module_toxiproxy, tmp_path, SERVICES, settings=FAST_FLUSH) as world:
        yield world


def counts(world: World) -> dict[str, int]:
    status, body = world.request("gms", "GET", "/incidents/by-call")
    assert status == 200
    return dict(body["counts"])


def pending(world: World, meldkamer: str) -> int:
    status, body = world.request(meldkamer, "GET", "/_control/buffer")
    assert status == 200
    return int(body["pending"])


def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_incidents_are_buffered_while_gms_is_unreachable_and_flushed_exactly_once(
    world: World,
) -> None:
    world.link_down("meldkamer-rotterdam->gms")
    with Caller(*world.entry("callers->telephony")) as caller:
        answered = [caller.call("112", "rotterdam") for _ in range(20)]
    assert all(o.answered_by == "meldkamer-rotterdam" for o in answered)
    assert eventually(lambda: pending(world, "meldkamer-rotterdam") == 20)
    assert counts(world) == {}
    world.link_up("meldkamer-rotterdam->gms")
    assert eventually(lambda: pending(world, "meldkamer-rotterdam") == 0)
    assert counts(world) == {o.call_id: 1 for o in answered}


def test_a_buffer_survives_a_meldkamer_restart(world: World) -> None:
    world.link_down("meldkamer-rotterdam->gms")
    with Caller(*world.entry("callers->telephony")) as caller:
        answered = [caller.call("112", "rotterdam") for _ in range(5)]
    assert eventually(lambda: pending(world, "meldkamer-rotterdam") == 5)
    world.kill("meldkamer-rotterdam")
    world.link_up("meldkamer-rotterdam->gms")
    world.restart("meldkamer-rotterdam")
    assert eventually(lambda: pending(world, "meldkamer-rotterdam") == 0)
    assert counts(world) == {o.call_id: 1 for o in answered}


class Load(threading.Thread):
    """Places 112 calls one after another until stopped; keeps every call id answered."""

    def __init__(self, world: World, region: str) -> None:
        super().__init__(daemon=True)
        self.world, self.region = world, region
        self.answered: list[str] = []
        self.failed = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        with Caller(*self.world.entry("callers->telephony")) as caller:
            while not self.stopping.is_set():
                outcome = caller.call("112", self.region)
                if outcome.answered:
                    self.answered.append(outcome.call_id)
                else:
                    self.failed += 1

    def stop(self) -> None:
        self.stopping.set()
        self.join(10)


def test_gms_killed_mid_load_loses_and_duplicates_no_incident(world: World) -> None:
    load = Load(world, "rotterdam")
    load.start()
    try:
        # Calls answered before, while and after GMS is dead: counted, not timed, so a busy
        # machine cannot leave a phase empty.
        assert eventually(lambda: len(load.answered) >= 20)
        world.kill("gms")  # kill -9 while incidents are being registered
        dead = len(load.answered)
        assert eventually(lambda: len(load.answered) >= dead + 10)
        world.restart("gms")
        back = len(load.answered)
        assert eventually(lambda: len(load.answered) >= back + 20)
    finally:
        load.stop()
    assert load.failed == 0  # 112 never noticed: answering does not depend on GMS
    assert len(load.answered) >= 50
    assert eventually(lambda: pending(world, "meldkamer-rotterdam") == 0)
    final = counts(world)
    assert set(final) == set(load.answered)
    assert set(final.values()) == {1}


def test_gms_killed_mid_load_keeps_every_incident_it_acknowledged(world: World) -> None:
    """Direct to GMS: what it answered 201/200 must be there after kill -9 and restart."""
    acknowledged: list[str] = []
    stopping = threading.Event()

    def post_incidents() -> None:
        n = 0
        while not stopping.is_set():
            n += 1
            call_id = f"direct-{n}"
            try:
                status, _ = world.request(
                    "gms",
                    "POST",
                    "/incidents",
                    {"call_id": call_id, "region": "rotterdam"},
                    {"Idempotency-Key": f"test:{call_id}", "Content-Type": "application/json"},
                    timeout=1.0,
                )
            except OSError:
                time.sleep(0.01)
                continue
            if status in (200, 201):
                acknowledged.append(call_id)

    poster = threading.Thread(target=post_incidents, daemon=True)
    poster.start()
    try:
        time.sleep(0.7)
        world.kill("gms")
        world.restart("gms")
        time.sleep(0.5)
    finally:
        stopping.set()
        poster.join(10)
    assert len(acknowledged) > 50
    final = counts(world)
    assert all(final.get(call_id) == 1 for call_id in acknowledged)
