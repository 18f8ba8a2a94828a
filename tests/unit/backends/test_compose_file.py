"""The compose file: one container per service, every link through its own Toxiproxy proxy,
only the harness's entry points published, and the committed docker-compose.yml current."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from harness.backends import compose_file
from harness.backends.compose_file import (
    CONTAINER_PORTS,
    TOXIPROXY,
    compose_config,
    proxy_ports,
    proxy_specs,
    published,
    render,
)
from harness.errors import InvalidInput
from harness.model.source import parse_yaml
from harness.model.topology import Topology, build_topology, load_topology
from harness.paths import project_root, scenarios_dir
from mock_services.core.config import ServiceConfig

DEFAULT = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"


@pytest.fixture(scope="module")
def topology() -> Topology:
    return load_topology(DEFAULT)


@pytest.fixture(scope="module")
def config(topology: Topology) -> dict[str, Any]:
    return compose_config(topology)


def service_configs(config: dict[str, Any]) -> dict[str, ServiceConfig]:
    return {
        name: ServiceConfig.from_dict(json.loads(svc["environment"]["DC_SERVICE_CONFIG"]))
        for name, svc in config["services"].items()
        if name != TOXIPROXY
    }


def test_the_committed_docker_compose_file_is_current(topology: Topology) -> None:
    committed = (project_root() / "docker-compose.yml").read_text(encoding="utf-8")
    assert committed == render(topology), "run `make compose-file` and commit the result"


def test_the_rendered_yaml_reads_back_as_the_same_compose_file(
    topology: Topology, config: dict[str, Any]
) -> None:
    assert YAML(typ="safe", pure=True).load(render(topology)) == config


def test_there_is_one_container_per_service_plus_toxiproxy(
    topology: Topology, config: dict[str, Any]
) -> None:
    assert set(config["services"]) == {TOXIPROXY, *topology.services}
    for name, svc in topology.services.items():
        assert config["services"][name]["command"] == ["python3", "-m", svc.module]
        assert config["services"][name]["image"] == compose_file.MOCK_IMAGE
    assert config["services"][TOXIPROXY]["image"] == compose_file.TOXIPROXY_IMAGE


def test_every_service_listens_on_all_interfaces_on_fixed_container_ports(
    config: dict[str, Any],
) -> None:
    for cfg in service_configs(config).values():
        assert cfg.listen, cfg.name
        for listener, listen in cfg.listen.items():
            assert (listen.host, listen.port) == ("0.0.0.0", CONTAINER_PORTS[listener])


def test_every_dependency_dials_its_own_links_proxy_whose_upstream_is_the_target(
    topology: Topology, config: dict[str, Any]
) -> None:
    specs = {spec["listen"].rpartition(":")[2]: spec for spec in proxy_specs(topology)}
    dialled = []
    for cfg in service_configs(config).values():
        for dep in cfg.dependencies.values():
            assert dep.host == TOXIPROXY
            spec = specs[str(dep.port)]
            assert spec["name"] == dep.link == f"{cfg.name}->{dep.service}"
            target_port = CONTAINER_PORTS[topology.links[dep.link].port]
            assert spec["upstream"] == f"{dep.service}:{target_port}"
            dialled.append(dep.link)
    service_links = sorted(n for n, link in topology.links.items() if not link.client)
    assert sorted(dialled) == service_links


def test_proxy_ports_are_distinct_and_follow_the_sorted_link_list(topology: Topology) -> None:
    ports = proxy_ports(topology)
    assert list(ports) == sorted(topology.links)
    assert sorted(ports.values()) == list(ports.values())
    assert len(set(ports.values())) == len(topology.links)


def test_only_the_api_client_proxies_and_http_ports_are_published_on_localhost(
    topology: Topology, config: dict[str, Any]
) -> None:
    ports = proxy_ports(topology)
    clients = sorted(ports[n] for n, link in topology.links.items() if link.client)
    assert config["services"][TOXIPROXY]["ports"] == [
        f"127.0.0.1::{p}" for p in [compose_file.TOXIPROXY_API_PORT, *clients]
    ]
    for name in topology.services:
        assert config["services"][name]["ports"] == [f"127.0.0.1::{CONTAINER_PORTS['http']}"]


def test_host_ports_given_are_pinned(topology: Topology) -> None:
    spots = published(topology)
    host_ports = {spot: 40000 + i for i, spot in enumerate(spots)}
    config = compose_config(topology, host_ports)
    for (service, port), host_port in host_ports.items():
        assert f"127.0.0.1:{host_port}:{port}" in config["services"][service]["ports"]


def test_gms_and_the_meldkamers_keep_their_data_in_a_volume(
    topology: Topology, config: dict[str, Any]
) -> None:
    stateful = sorted(n for n, s in topology.services.items() if s.kind in ("gms", "meldkamer"))
    assert len(stateful) == 6
    assert sorted(config["volumes"]) == [f"{n}-data" for n in stateful]
    for name, cfg in service_configs(config).items():
        if name in stateful:
            assert cfg.data_dir == "/data"
            assert config["services"][name]["volumes"] == [f"{name}-data:/data"]
        else:
            assert cfg.data_dir is None
            assert "volumes" not in config["services"][name]


def test_containers_networks_and_volumes_carry_the_project_label(config: dict[str, Any]) -> None:
    label = {"io.dispatch-chaos.project": "dispatch-chaos"}
    assert all(svc["labels"] == label for svc in config["services"].values())
    assert config["networks"]["default"]["labels"] == label
    assert all(volume["labels"] == label for volume in config["volumes"].values())


def test_a_service_named_toxiproxy_is_refused() -> None:
    text = "version: 1\nname: t\nregions: {r: {}}\nservices:\n  toxiproxy: {kind: office}\n"
    with pytest.raises(InvalidInput, match="toxiproxy"):
        compose_config(build_topology(parse_yaml(text, "t.yaml")))


def test_the_command_line_prints_the_file_and_exits_2_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], topology: Topology
) -> None:
    assert compose_file.main([str(DEFAULT)]) == 0
    assert capsys.readouterr().out == render(topology)
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nname: Bad Name\n", encoding="utf-8")
    assert compose_file.main([str(bad)]) == 2
    assert "bad.yaml" in capsys.readouterr().err
    assert compose_file.main([]) == 2
