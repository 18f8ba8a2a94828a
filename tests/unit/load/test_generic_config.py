"""The load config of declared traffic classes: groups per region (or one national group) at
the client link's proxy, users for the class's own latency budget, a JSON round trip intact."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.errors import InvalidInput
from harness.load.config import LoadConfig, LoadOptions, build_load_config
from harness.model.resolve_load import declared_class
from harness.model.runtime import TrafficLoad
from harness.model.scenario_file import TrafficFile
from tests.unit.load import world


def declared(name: str, **spec: Any) -> TrafficLoad:
    entry = TrafficFile.model_validate(spec)
    return TrafficLoad(name, entry.rate, declared_class(name, entry, ("/team",)))


def build(*loads: TrafficLoad, options: LoadOptions | None = None) -> LoadConfig:
    scenario = replace(world.scenario({}), load=loads)
    stack = world.stack({"callers->telephony": "127.0.0.1:5060"})
    return build_load_config(
        scenario, stack, Path("/tmp/j.jsonl"), 1000.0, 30.0, options or LoadOptions()
    )


SIP = {"client": "callers", "sip": {"uri": "sip:112@sip-router", "hold": "1s"}, "rate": "4/s"}


def test_a_regional_class_gets_a_group_per_region_through_its_clients_only_link() -> None:
    calls = declared("router-calls", **SIP, regions=["rotterdam", "zeeland-west-brabant"])
    groups = build(calls).groups
    assert [(g.name, g.region, g.link, g.port, g.rate) for g in groups] == [
        ("router_calls__rotterdam", "rotterdam", "callers->telephony", 5060, 2.0),
        ("router_calls__zeeland_west_brabant", "zeeland-west-brabant", "callers->telephony", 5060, 2.0),
    ]  # fmt: skip
    assert {g.protocol for g in groups} == {"sip"}
    assert {g.traffic_class.user for g in groups} == {"harness.load.generic:GenericSipUser"}


def test_a_national_class_is_one_group_without_a_region() -> None:
    beat = declared(
        "heartbeat", client="radio-units", tcp={"send": "PING", "expect": "PONG"}, rate=2
    )
    (group,) = build(beat).groups
    assert (group.region, group.link, group.rate, group.number) == (None, "radio-units->c2000", 2.0, None)  # fmt: skip


def test_with_several_links_each_region_enters_through_its_own() -> None:
    api = declared("dispatch-api", client="dispatchers", http={"path": "/"}, rate=2, regions=["rotterdam", "oost-brabant"])  # fmt: skip
    assert [(g.region, g.link) for g in build(api).groups] == [
        ("rotterdam", "dispatchers->meldkamer-rotterdam"),
        ("oost-brabant", "dispatchers->meldkamer-oost-brabant"),
    ]


def test_users_cover_the_classes_own_timeout_and_hold() -> None:
    calls = declared("router-calls", **SIP, timeout="500ms")  # national: 4/s in one group
    api = declared("incident-api", client="office-users", http={"path": "/"}, rate=10)
    config = build(calls, api, options=LoadOptions(timeout=2.0, hold=0.0))
    by_name = {g.traffic: g for g in config.groups}
    assert by_name["router-calls"].users == 8  # 4/s * (0.5 + 1 hold + 0.5) s
    assert by_name["incident-api"].users == 20  # 10/s * the run's 2 s
    assert config.drain == 2.0


def test_a_custom_user_class_is_named_by_its_path() -> None:
    crew = declared("crew", client="office-users", user="team.users:Crew", rate=1)
    (group,) = build(crew).groups
    assert (group.protocol, group.traffic_class.user) == ("user", "team.users:Crew")


def test_declared_classes_survive_the_configs_json_round_trip(tmp_path: Path) -> None:
    config = build(
        declared("router-calls", **SIP, regions=["rotterdam"], timeout=1),
        declared("incident-api", client="office-users", rate=1,
                 http={"method": "POST", "path": "/i", "body": {"a": [1]}, "expect": [201, 202],
                       "json": {"field": "status", "equals": "accepted"}}),
        declared("heartbeat", client="radio-units", tcp={"send": "PING", "expect": "PONG"}, rate=1),
        declared("crew", client="office-users", user="team.users:Crew", rate=1),
        TrafficLoad("office-users", 1.0),
    )  # fmt: skip
    config.save(tmp_path / "load.json")
    assert LoadConfig.load(tmp_path / "load.json") == config


def test_a_class_whose_client_is_gone_from_the_topology_is_invalid_input() -> None:
    calls = declared("router-calls", **{**SIP, "client": "operators"})
    with pytest.raises(InvalidInput, match="unknown client 'operators'"):
        build(calls)
