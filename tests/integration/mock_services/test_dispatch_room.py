"""Real calls into a room with finite call-takers, and into a 112 platform of four copies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.caller import Caller
from tests.integration.mock_services.world import TOPOLOGIES, World

pytestmark = pytest.mark.integration

COPIES = [f"routing-112-{c}" for c in "abcd"]
REFUSE_112 = {"mode": "sip", "status": 503, "scope": "112"}


@pytest.fixture(scope="module")
def room(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """Rotterdam with one call-taker and no queue, each call keeping them busy for 3 s."""
    services = ["telephony", "meldkamer-rotterdam", "meldkamer-zeeland-west-brabant"]
    settings = {"meldkamer-rotterdam": {"positions": 1, "queue": 0, "handling": 3.0}}
    with World(
        module_toxiproxy, tmp_path_factory.mktemp("room"), services, settings=settings
    ) as world:
        yield world


def test_a_busy_room_sends_the_next_call_to_the_backup_region(room: World) -> None:
    with Caller(*room.entry("callers->telephony")) as caller:
        first = caller.call("112", "rotterdam")
        second = caller.call("112", "rotterdam")
    assert first.answered_by == "meldkamer-rotterdam"
    assert second.answered_by == "meldkamer-zeeland-west-brabant"
    assert second.setup < 1.0  # refused as busy at once: no waiting for the link timeout
    assert room.counters("meldkamer-rotterdam")["calls.busy"] == 1
    assert room.counters("telephony")["calls.rerouted"] >= 1


@pytest.fixture(scope="module")
def platform(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    services = ["telephony", *COPIES, "meldkamer-rotterdam", "meldkamer-zeeland-west-brabant"]
    with World(
        module_toxiproxy,
        tmp_path_factory.mktemp("platform"),
        services,
        topology=TOPOLOGIES / "meldkamer-nl-kpn.yaml",
    ) as world:
        yield world


def test_112_goes_through_the_first_copy_of_the_platform(platform: World) -> None:
    with Caller(*platform.entry("callers->telephony")) as caller:
        assert caller.call("112", "rotterdam").answered_by == "meldkamer-rotterdam"
    assert platform.counters("routing-112-a")["calls.112"] >= 1


def test_one_failed_copy_is_saved_by_the_next(platform: World) -> None:
    platform.set_fault("routing-112-a", "dc.copy-a", REFUSE_112)
    platform.link_down("telephony->routing-112-b")
    try:
        with Caller(*platform.entry("callers->telephony")) as caller:
            outcome = caller.call("112", "rotterdam")
        assert outcome.answered_by == "meldkamer-rotterdam"
        assert platform.counters("routing-112-c")["calls.112"] >= 1
    finally:
        platform.calm()


def test_a_common_cause_fault_in_all_four_copies_cuts_112_but_not_the_own_numbers(
    platform: World,
) -> None:
    for name in COPIES:
        platform.set_fault(name, "dc.common-cause", REFUSE_112)
    try:
        with Caller(*platform.entry("callers->telephony")) as caller:
            cut = caller.call("112", "rotterdam")
            direct = caller.call("meldkamer-rotterdam")
        assert cut.status == 503
        assert direct.answered_by == "meldkamer-rotterdam"
        assert all(platform.counters(name)["fault.sip"] >= 1 for name in COPIES)
    finally:
        platform.calm()
