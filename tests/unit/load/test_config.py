"""The load config: one user group per traffic class and region, entering at its link's proxy."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from harness.errors import InvalidInput, StackError
from harness.load.config import LoadConfig, LoadOptions, build_load_config, class_name
from harness.model.traffic import TRAFFIC_CLASSES
from tests.unit.load import world

REGIONS = list(world.topology().regions)
ALL = {"callers-112": 10.0, "callers-0900": 5.0, "callers-088": 5.0, "callers-alternate": 5.0,
       "radio-units": 10.0, "office-users": 4.0, "dispatchers": 5.0}  # fmt: skip


def build(load: dict[str, float], **kwargs: object) -> LoadConfig:
    entries = {
        "callers->telephony": "127.0.0.1:5060",
        "dispatchers->meldkamer-rotterdam": "127.0.0.1:8081",
    }
    return build_load_config(
        world.scenario(load),
        world.stack(entries),
        Path("/tmp/journal.jsonl"),
        wall_start=1000.0,
        duration=30.0,
        **kwargs,  # type: ignore[arg-type]
    )


def test_every_traffic_class_gets_user_groups() -> None:
    config = build(ALL)
    assert {g.traffic for g in config.groups} == set(TRAFFIC_CLASSES)


def test_callers_are_spread_evenly_over_the_regions_through_the_telephony_entry() -> None:
    groups = build({"callers-112": 10.0}).groups
    assert [g.region for g in groups] == REGIONS
    assert {(g.host, g.port, g.link) for g in groups} == {("127.0.0.1", 5060, "callers->telephony")}
    assert {g.rate for g in groups} == {10.0 / len(REGIONS)}
    assert {g.number for g in groups} == {"112"}


@pytest.mark.parametrize(
    ("traffic", "number"), [("callers-0900", "09008844"), ("callers-088", "088")]
)
def test_police_numbers_dial_their_own_number(traffic: str, number: str) -> None:
    assert {g.number for g in build({traffic: 1.0}).groups} == {number}


def test_dispatchers_enter_through_their_own_meldkamer() -> None:
    groups = build({"dispatchers": 5.0}).groups
    assert {g.link: g.region for g in groups} == {f"dispatchers->meldkamer-{r}": r for r in REGIONS}
    rotterdam = next(g for g in groups if g.region == "rotterdam")
    assert (rotterdam.host, rotterdam.port) == ("127.0.0.1", 8081)


def test_office_users_belong_to_no_region() -> None:
    (group,) = build({"office-users": 4.0}).groups
    assert (group.region, group.link, group.rate) == (None, "office-users->office", 4.0)


def test_users_cover_the_worst_case_request_time() -> None:
    options = LoadOptions(timeout=1.5, hold=1.0)
    config = build({"callers-112": 10.0, "office-users": 4.0}, options=options)
    caller = next(g for g in config.groups if g.traffic == "callers-112")
    office = next(g for g in config.groups if g.traffic == "office-users")
    assert caller.users == 8  # 2/s per region * (1.5 + 1.0 + 1.5) s
    assert office.users == 6  # 4/s * 1.5 s
    assert config.drain == 4.0


def test_traffic_without_a_rate_gets_no_users() -> None:
    config = build({"callers-112": 0.0, "office-users": 1.0})
    assert {g.traffic for g in config.groups} == {"office-users"}


def test_class_names_are_unique_python_identifiers() -> None:
    names = [g.name for g in build(ALL).groups]
    assert len(set(names)) == len(names)
    assert all(name.isidentifier() for name in names)
    assert class_name("callers-112", "oost-brabant") == "callers_112__oost_brabant"


def test_scenario_time_runs_at_the_clock_factor() -> None:
    config = build({"office-users": 1.0})
    assert config.marks == ((0.0, 0.0), (86400.0, 60.0))
    assert config.scenario_time(1000.0) == 0.0
    assert config.scenario_time(1001.5) == 1.5 * 86400 / 60
    assert config.end == 1030.0


def test_the_config_survives_its_json_round_trip(tmp_path: Path) -> None:
    config = build(ALL, options=LoadOptions(timeout=1.0, hold=0.5))
    config.save(tmp_path / "load.json")
    assert LoadConfig.load(tmp_path / "load.json") == config


def test_a_stack_without_the_entry_proxy_is_an_infrastructure_error() -> None:
    stack = world.stack()
    del stack.proxies["office-users->office"]
    with pytest.raises(StackError, match="office-users->office"):
        build_load_config(world.scenario({"office-users": 1.0}), stack, Path("j"), 0.0, 1.0)


def test_a_topology_without_the_client_is_invalid_input() -> None:
    topology = world.topology()
    scenario = world.scenario({"radio-units": 1.0})
    clients = dict(topology.clients)
    del clients["radio-units"]
    scenario = replace(scenario, topology=replace(topology, clients=clients))
    with pytest.raises(InvalidInput, match="radio-units"):
        build_load_config(scenario, world.stack(), Path("j"), 0.0, 1.0)


def test_alternate_callers_dial_their_own_regions_meldkamer() -> None:
    groups = build({"callers-alternate": 5.0}).groups
    assert {g.region: g.number for g in groups} == {r: f"meldkamer-{r}" for r in REGIONS}
    assert {g.link for g in groups} == {"callers->telephony"}
