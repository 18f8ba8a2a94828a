"""The dependency policies of the topology, honoured by the real services over real links."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.caller import Caller
from tests.integration.mock_services.world import TOPOLOGIES, World

pytestmark = pytest.mark.integration
T = TypeVar("T")

SERVICES = ["telephony", "meldkamer-rotterdam", "gms", "police-ict", "office"]
INCIDENT = {"call_id": "policy-1", "region": "rotterdam", "caller": "ann"}


@pytest.fixture(scope="module")
def world(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    settings = {"meldkamer-rotterdam": {"flush_interval": 60}}
    with World(
        module_toxiproxy, tmp_path_factory.mktemp("world"), SERVICES, settings=settings
    ) as world:
        yield world


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


def test_an_optional_dependency_that_hangs_costs_no_more_than_its_timeout(world: World) -> None:
    # gms -> police-ict: timeout 300ms, not required, fallback degrade
    world.toxiproxy.add_toxic("gms->police-ict", "dc.hang", "latency", attributes={"latency": 3000})
    elapsed, (status, body) = timed(
        lambda: world.request(
            "gms",
            "POST",
            "/incidents",
            {**INCIDENT, "call_id": "slow-ict"},
            {"Idempotency-Key": "t:slow-ict"},
        )
    )
    assert status == 201 and body["enriched"] is False
    assert 0.3 <= elapsed < 1.0


def test_an_optional_dependency_that_answers_enriches(world: World) -> None:
    status, body = world.request(
        "gms",
        "POST",
        "/incidents",
        {**INCIDENT, "call_id": "ok-ict"},
        {"Idempotency-Key": "t:ok-ict"},
    )
    assert status == 201 and body["enriched"] is True


def test_a_required_dependency_that_fails_fails_the_request_within_its_timeout(
    world: World,
) -> None:
    # office -> police-ict: timeout 500ms, required
    assert world.request("office", "GET", "/", link="office-users->office")[0] == 200
    world.toxiproxy.add_toxic(
        "office->police-ict", "dc.hang", "latency", attributes={"latency": 3000}
    )
    elapsed, (status, _) = timed(lambda: world.request("office", "GET", "/"))
    assert status == 503
    assert 0.5 <= elapsed < 1.2
    world.toxiproxy.reset()
    world.link_down("office->police-ict")
    elapsed, (status, _) = timed(lambda: world.request("office", "GET", "/"))
    assert status == 503 and elapsed < 0.5  # refused at once: no need to wait


def test_a_failed_attempt_is_retried_as_the_policy_says_then_the_fallback_is_used(
    world: World,
) -> None:
    # meldkamer -> gms: timeout 500ms, 1 retry, fallback buffer
    world.set_fault("gms", "dc.refuse", {"mode": "http", "status": 503, "scope": "/incidents"})
    with Caller(*world.entry("callers->telephony")) as caller:
        assert caller.call("112", "rotterdam").answered
    deadline = time.monotonic() + 3
    while world.counters("meldkamer-rotterdam").get("incidents.buffered", 0) < 1:
        assert time.monotonic() < deadline, "the incident was never buffered"
        time.sleep(0.05)
    assert world.counters("gms")["fault.http"] == 2  # the attempt and its one retry
    assert world.counters("meldkamer-rotterdam")["dep.gms.retry"] >= 1


def test_police_ict_down_leaves_112_answered_in_the_default_topology(world: World) -> None:
    world.link_down("gms->police-ict")
    with Caller(*world.entry("callers->telephony")) as caller:
        assert caller.call("112", "rotterdam").answered_by == "meldkamer-rotterdam"


def test_in_the_coupled_topology_police_ict_down_makes_112_fail(
    module_toxiproxy: ToxiproxyClient, tmp_path: Path
) -> None:
    coupled = TOPOLOGIES / "meldkamer-nl-coupled.yaml"
    services = ["telephony", "meldkamer-rotterdam", "meldkamer-zeeland-west-brabant", "police-ict"]
    with (
        World(module_toxiproxy, tmp_path, services, topology=coupled) as world,
        Caller(*world.entry("callers->telephony")) as caller,
    ):
        assert caller.call("112", "rotterdam").answered_by == "meldkamer-rotterdam"
        world.link_down("meldkamer-rotterdam->police-ict")
        assert caller.call("112", "rotterdam").answered_by == "meldkamer-zeeland-west-brabant"
        world.link_down("meldkamer-zeeland-west-brabant->police-ict")
        assert caller.call("112", "rotterdam").status == 503
