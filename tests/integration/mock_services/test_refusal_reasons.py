"""A refused call says why, all the way to the journal: the meldkamer that refuses for a failed
police-ict lookup sends a SIP Warning naming police-ict, telephony relays the final failure's
Warning to the caller, and the harness's caller journals it as the request's error - the text
the report groups failures by (harness/report/causes.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.clock import linear
from harness.journal import JournalWriter, Request, read_events
from harness.load.recorder import MAX_ERROR, Recorder
from harness.load.sip import CallResult, SipCaller
from harness.load.transport import OperationFailed, tcp_connector
from harness.report.causes import cause_of
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.world import TOPOLOGIES, World

pytestmark = pytest.mark.integration

SERVICES = ["telephony", "meldkamer-rotterdam", "meldkamer-zeeland-west-brabant", "police-ict"]
ICT_LINKS = ("meldkamer-rotterdam->police-ict", "meldkamer-zeeland-west-brabant->police-ict")


@pytest.fixture(scope="module")
def world(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    coupled = TOPOLOGIES / "meldkamer-nl-coupled.yaml"
    with World(
        module_toxiproxy, tmp_path_factory.mktemp("world"), SERVICES, topology=coupled
    ) as world:
        yield world


def call(world: World, link: str) -> CallResult:
    host, port = world.entry(link)
    caller = SipCaller(tcp_connector(host, port), host, port)
    try:
        return caller.call("112", "rotterdam", timeout=4.0)
    finally:
        caller.close()


def journalled(tmp_path: Path, result: CallResult) -> Request:
    """The journal request the Locust recorder writes for a failed call (users.py fires it)."""
    journal = tmp_path / "journal.jsonl"
    with JournalWriter(journal) as writer:
        Recorder(writer, result.start, linear(1.0, 1.0)).on_request(
            "112 rotterdam",
            result.latency * 1000,
            OperationFailed(result.error or ""),
            {"traffic": "callers-112", "region": "rotterdam", "call_id": result.call_id},
            result.start,
        )
    (request,) = [e for e in read_events(journal) if isinstance(e, Request)]
    return request


def test_a_meldkamer_refusing_for_police_ict_sends_a_warning_naming_it(world: World) -> None:
    world.link_down("meldkamer-rotterdam->police-ict")
    result = call(world, "telephony->meldkamer-rotterdam")  # straight to the meldkamer
    assert result.status == 503
    assert result.error is not None
    assert result.error.startswith(
        '503 Service Unavailable; Warning: 399 meldkamer-rotterdam "police-ict unreachable: '
    )
    cause = cause_of(result.error)
    assert cause.agent == "meldkamer-rotterdam"
    assert cause.why.startswith("police-ict unreachable")


def test_the_final_failures_warning_reaches_the_caller_and_its_journal_error(
    world: World, tmp_path: Path
) -> None:
    assert call(world, "callers->telephony").ok  # healthy: answered, no Warning
    for link in ICT_LINKS:
        world.link_down(link)
    result = call(world, "callers->telephony")  # rotterdam refuses, then its backup does
    assert result.status == 503
    request = journalled(tmp_path, result)
    assert not request.ok and request.error is not None
    assert len(request.error) <= MAX_ERROR
    cause = cause_of(request.error)
    assert cause.code == "503 Service Unavailable"
    assert cause.agent == "meldkamer-zeeland-west-brabant"  # the last one telephony tried
    assert cause.why.startswith("police-ict unreachable")


def test_a_call_nobody_answered_in_time_says_whom_telephony_tried(world: World) -> None:
    world.toxiproxy.add_toxic(
        "telephony->meldkamer-rotterdam", "dc.hang", "latency", attributes={"latency": 3000}
    )
    world.toxiproxy.add_toxic(
        "telephony->meldkamer-zeeland-west-brabant",
        "dc.hang",
        "latency",
        attributes={"latency": 3000},
    )
    result = call(world, "callers->telephony")
    assert result.status == 503
    cause = cause_of(result.error)
    assert cause.agent == "telephony"
    assert cause.why == "no answer from meldkamer-rotterdam, meldkamer-zeeland-west-brabant"
