"""A stack file read against its topology, and checked against what the team's Toxiproxy holds,
without a socket: the team's proxies are used as they are, the harness's are prefix + link with
the target's listener as upstream, and every conflict is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.backends.external import ExternalBackend, conflicts
from harness.errors import InvalidInput
from harness.model.external_stack import ExternalStack, load_external_stack
from harness.toxiproxy.client import ProxyState, ToxicState

STACK = Path(__file__).resolve().parents[2] / "data" / "external" / "stack.yaml"
TEAM_ENTRY = ProxyState("team-112-entry", "0.0.0.0:25000", "127.0.0.1:5060", True)


@pytest.fixture
def stack() -> ExternalStack:
    return load_external_stack(STACK)


def test_a_link_with_a_proxy_uses_the_teams_proxy_by_its_name(stack: ExternalStack) -> None:
    entry = stack.links["callers->telephony"]
    assert (entry.name, entry.team, entry.listen) == ("team-112-entry", True, None)


def test_a_link_with_listen_gets_a_prefixed_proxy_to_the_targets_listener(
    stack: ExternalStack,
) -> None:
    made = stack.links["telephony->meldkamer-rotterdam"]
    assert (made.name, made.team) == ("dc-telephony->meldkamer-rotterdam", False)
    assert (made.listen, made.upstream) == ("127.0.0.1:25001", "127.0.0.1:5070")  # its sip


def test_services_keep_their_endpoints_in_the_topologys_listener_order(
    stack: ExternalStack,
) -> None:
    telephony = stack.services["telephony"]
    assert list(telephony.endpoints) == ["sip", "http"]
    assert (telephony.kind, telephony.health) == ("telephony", "sip OPTIONS")


def test_a_service_without_health_gets_the_topologys_check(stack: ExternalStack) -> None:
    assert stack.services["meldkamer-rotterdam"].health == "http GET /health"
    assert stack.services["meldkamer-rotterdam"].region == "rotterdam"


def test_nothing_conflicts_when_the_teams_proxy_is_there(stack: ExternalStack) -> None:
    assert conflicts(stack, {"team-112-entry": TEAM_ENTRY}) == []


def test_a_missing_team_proxy_is_named(stack: ExternalStack) -> None:
    (problem,) = conflicts(stack, {})
    assert "the team's proxy 'team-112-entry' is not in 127.0.0.1:8474" in problem
    assert "callers->telephony" in problem


def test_the_harnesss_own_proxy_from_an_earlier_run_is_no_conflict(stack: ExternalStack) -> None:
    earlier = ProxyState(
        "dc-telephony->meldkamer-rotterdam", "127.0.0.1:25001", "127.0.0.1:5070", True
    )
    live = {"team-112-entry": TEAM_ENTRY, earlier.name: earlier}
    assert conflicts(stack, live) == []


def test_a_proxy_of_the_same_name_going_elsewhere_is_a_collision(stack: ExternalStack) -> None:
    other = ProxyState("dc-meldkamer-rotterdam->gms", "127.0.0.1:25002", "10.0.0.9:80", True)
    (problem,) = conflicts(stack, {"team-112-entry": TEAM_ENTRY, other.name: other})
    assert "proxy 'dc-meldkamer-rotterdam->gms' exists" in problem
    assert "choose another proxies.prefix" in problem


def test_a_listen_address_another_proxy_holds_is_a_collision(stack: ExternalStack) -> None:
    toxic = ToxicState("team-latency", "latency", "downstream", 1.0, {"latency": 5})
    db = ProxyState("team-db", "0.0.0.0:25002", "127.0.0.1:5432", True, (toxic,))
    (problem,) = conflicts(stack, {"team-112-entry": TEAM_ENTRY, "team-db": db})
    assert "127.0.0.1:25002 is taken by proxy 'team-db'" in problem


def test_a_stack_of_another_topology_than_the_scenarios_is_refused(tmp_path: Path) -> None:
    backend = ExternalBackend(STACK, tmp_path, tmp_path / "other.yaml")
    with pytest.raises(InvalidInput, match="the scenario from"):
        backend.describe()


def test_the_former_json_description_is_read_with_every_proxy_the_teams(tmp_path: Path) -> None:
    described = tmp_path / "stack.json"
    described.write_text(
        '{"topology": "t.yaml", "toxiproxy": "127.0.0.1:8474", "services": {}, '
        '"proxies": {"a->b": {"name": "a->b", "listen": "127.0.0.1:1", "upstream": "x:2"}}}'
    )
    info = ExternalBackend(described, tmp_path, tmp_path / "t.yaml").describe()
    assert info.backend == "external"
    assert info.proxies["a->b"].team
