"""Real SIP calls through Toxiproxy into the mock world: routing, alternate routing, faults."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.caller import Caller
from tests.integration.mock_services.conftest import REGIONS
from tests.integration.mock_services.world import World

pytestmark = pytest.mark.integration

BACKUP = {
    "oost-brabant": "midden-nederland",
    "noord-holland": "midden-nederland",
    "zeeland-west-brabant": "rotterdam",
    "rotterdam": "zeeland-west-brabant",
    "midden-nederland": "oost-brabant",
}
SERVICES = [
    "telephony",
    "gms",
    "police-ict",
    "police-contact-centre",
    *(f"meldkamer-{r}" for r in REGIONS),
]


@pytest.fixture(scope="module")
def world(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with World(module_toxiproxy, tmp_path_factory.mktemp("world"), SERVICES) as world:
        yield world


@pytest.fixture
def caller(world: World) -> Iterator[Caller]:
    with Caller(*world.entry("callers->telephony")) as caller:
        yield caller


def incidents(world: World, call_id: str, wait: float = 3.0) -> int:
    """How many incidents GMS holds for a call, once registration had time to happen."""
    deadline = time.monotonic() + wait
    while True:
        status, body = world.request("gms", "GET", f"/incidents/by-call?call_id={call_id}")
        assert status == 200
        count = int(body["counts"].get(call_id, 0))
        if count or time.monotonic() > deadline:
            return count
        time.sleep(0.05)


@pytest.mark.parametrize("region", REGIONS)
def test_112_is_answered_by_the_callers_own_region_and_registered_once(
    world: World, caller: Caller, region: str
) -> None:
    outcome = caller.call("112", region)
    assert outcome.answered and outcome.bye_status == 200
    assert outcome.answered_by == f"meldkamer-{region}"
    assert incidents(world, outcome.call_id) == 1


@pytest.mark.parametrize("number", ["09008844", "088"])
def test_police_numbers_are_answered_by_the_contact_centre(caller: Caller, number: str) -> None:
    outcome = caller.call(number)
    assert outcome.answered
    assert outcome.answered_by == "police-contact-centre"


def test_an_unknown_number_gets_404_and_options_gets_200(caller: Caller) -> None:
    assert caller.call("0612345678").status == 404
    assert caller.options() == 200


def test_a_112_call_without_a_region_is_still_answered(caller: Caller) -> None:
    assert caller.call("112").answered


def test_when_a_regions_link_is_down_its_calls_go_to_the_backup_region(
    world: World, caller: Caller
) -> None:
    world.link_down("telephony->meldkamer-rotterdam")
    outcome = caller.call("112", "rotterdam")
    assert outcome.answered
    assert outcome.answered_by == f"meldkamer-{BACKUP['rotterdam']}"
    assert outcome.setup < 1.0  # a refused connection re-routes at once, not after a timeout
    assert world.counters("telephony")["calls.rerouted"] >= 1


def test_a_primary_answering_5xx_is_rerouted_to_the_backup(world: World, caller: Caller) -> None:
    world.set_fault("meldkamer-noord-holland", "dc.refuse", {"mode": "sip", "status": 503})
    outcome = caller.call("112", "noord-holland")
    assert outcome.answered_by == f"meldkamer-{BACKUP['noord-holland']}"


def test_a_silent_primary_is_rerouted_after_the_link_timeout(world: World, caller: Caller) -> None:
    world.set_fault("meldkamer-oost-brabant", "dc.mute", {"mode": "drop"})
    outcome = caller.call("112", "oost-brabant")
    assert outcome.answered_by == f"meldkamer-{BACKUP['oost-brabant']}"
    assert 1.0 <= outcome.setup < 2.0  # the telephony->meldkamer timeout is 1s


def test_a_late_answer_from_the_primary_is_hung_up_so_no_call_is_doubled(
    world: World, caller: Caller
) -> None:
    # the primary answers at once, but its answers reach telephony 1.5 s later: telephony has
    # given up on it after 1 s and its CANCEL arrives after the 200 was sent
    world.toxiproxy.add_toxic(
        "telephony->meldkamer-zeeland-west-brabant",
        "dc.late",
        "latency",
        stream="downstream",
        attributes={"latency": 1500},
    )
    before = world.counters("meldkamer-zeeland-west-brabant").get("calls.completed_elsewhere", 0)
    outcome = caller.call("112", "zeeland-west-brabant", hang_up=False)
    assert outcome.answered_by == f"meldkamer-{BACKUP['zeeland-west-brabant']}"
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        counters = world.counters("meldkamer-zeeland-west-brabant")
        if counters.get("calls.completed_elsewhere", 0) > before:
            break
        time.sleep(0.05)
    counters = world.counters("meldkamer-zeeland-west-brabant")
    assert counters["calls.completed_elsewhere"] == before + 1
    assert world.counters("telephony")["calls.late_answer_hung_up"] >= 1
    assert incidents(world, outcome.call_id) == 1


def test_when_both_regions_fail_the_caller_gets_an_error_not_silence(
    world: World, caller: Caller
) -> None:
    world.link_down("telephony->meldkamer-rotterdam")
    world.link_down("telephony->meldkamer-zeeland-west-brabant")
    outcome = caller.call("112", "rotterdam")
    assert outcome.status == 503


def test_a_scoped_telephony_fault_refuses_0900_and_spares_112(world: World, caller: Caller) -> None:
    world.set_fault("telephony", "dc.0900-down", {"mode": "sip", "status": 503, "scope": "0900"})
    assert caller.call("09008844").status == 503
    assert caller.call("088").answered
    assert caller.call("112", "rotterdam").answered


def test_the_contact_centre_refuses_calls_while_police_ict_is_down_and_112_is_unaffected(
    world: World, caller: Caller
) -> None:
    world.link_down("police-contact-centre->police-ict")
    assert caller.call("088").status == 503
    assert caller.call("112", "midden-nederland").answered_by == "meldkamer-midden-nederland"


def test_a_caller_can_cancel_a_call_that_is_not_answered_yet(world: World, caller: Caller) -> None:
    world.set_fault("meldkamer-rotterdam", "dc.slow", {"mode": "slow", "delay": 0.8})
    statuses = caller.cancel("112", "rotterdam", after=0.2)
    assert statuses == {"CANCEL": 200, "INVITE": 487}
