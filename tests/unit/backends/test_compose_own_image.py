"""A team's own program in the compose file: a container of its own image (never pulled), its
command, env and config file filled with the addresses inside the compose network, the config
mounted read-only, and only its health (and http) listener published."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from harness.backends.compose import ComposeBackend
from harness.backends.compose_file import (
    OWN_CONFIG_DIR,
    TOXIPROXY,
    compose_config,
    container_ports,
    program_configs,
    proxy_ports,
    proxy_specs,
    published,
    render,
)
from harness.errors import InvalidInput
from harness.model.topology import Topology, load_topology

TOPOLOGY = """\
version: 1
name: own-image
regions: {north: {}}
services:
  incident-desk:
    listen: [http, admin]
    run:
      command: [python3, "{config}", --admin, "{listen:admin}"]
      env:
        DESK_LISTEN: "{listen:http}"
        POLICE_ICT: "{link:incident-desk->police-ict}"
        PRICE: "$5"
      config: {template: desk.cfg, to: conf/desk.cfg}
    image: team/desk:1.0
    health: http GET /health
    depends:
      police-ict: {timeout: 300ms}
  router-{region}:
    listen: [sip]
    image: team/router:2.0
    run: {command: [router, "{config}"], config: {template: router.cfg, to: router.cfg}}
    health: sip OPTIONS
    depends:
      police-ict: {}
  watcher: {listen: [line], image: team/watch:1}
  police-ict: {kind: police-ict}
clients:
  operators: {to: [incident-desk]}
  admins: {to: [incident-desk], port: admin}
"""


@pytest.fixture
def topology(tmp_path: Path) -> Topology:
    (tmp_path / "desk.cfg").write_text(
        "police = {link:incident-desk->police-ict}\nlisten = {listen:http}\n", encoding="utf-8"
    )
    (tmp_path / "router.cfg").write_text(
        "region = {region}\nupstream = {link:router-north->police-ict}\n", encoding="utf-8"
    )
    file = tmp_path / "topology.yaml"
    file.write_text(TOPOLOGY, encoding="utf-8")
    return load_topology(file)


@pytest.fixture
def run_root(tmp_path: Path) -> Path:
    return tmp_path / "state" / "compose" / "run"


@pytest.fixture
def services(topology: Topology, run_root: Path) -> dict[str, Any]:
    return dict(compose_config(topology, run_root=run_root)["services"])


def proxy(topology: Topology, link: str) -> str:
    return f"{TOXIPROXY}:{proxy_ports(topology)[link]}"


def test_an_own_service_is_a_container_of_its_image_which_compose_never_pulls(
    services: dict[str, Any],
) -> None:
    for name, image in [("incident-desk", "team/desk:1.0"), ("watcher", "team/watch:1")]:
        assert services[name]["image"] == image
        assert services[name]["pull_policy"] == "never"
        assert services[name]["init"] is True
        assert services[name]["labels"] == {"io.dispatch-chaos.project": "dispatch-chaos"}
    assert "pull_policy" not in services["police-ict"]  # the mocks stay as they were


def test_its_command_and_env_get_the_proxies_listeners_and_config_of_the_compose_network(
    topology: Topology, services: dict[str, Any]
) -> None:
    desk = services["incident-desk"]
    config = f"{OWN_CONFIG_DIR}/incident-desk/conf/desk.cfg"
    assert desk["command"] == ["python3", config, "--admin", "0.0.0.0:9001"]
    assert desk["environment"] == {
        "DESK_LISTEN": "0.0.0.0:8080",
        "POLICE_ICT": proxy(topology, "incident-desk->police-ict"),
        "PRICE": "$$5",  # compose would read $5 as a variable
    }
    assert services["router-north"]["command"] == [
        "router",
        f"{OWN_CONFIG_DIR}/router-north/router.cfg",
    ]


def test_an_image_without_run_keeps_the_images_own_command_and_env(
    services: dict[str, Any],
) -> None:
    assert "command" not in services["watcher"]
    assert "environment" not in services["watcher"]
    assert "volumes" not in services["watcher"]


def test_the_config_file_is_rendered_with_the_region_and_mounted_read_only(
    topology: Topology, services: dict[str, Any], run_root: Path
) -> None:
    configs = program_configs(topology)
    assert configs == {
        "incident-desk": (
            "conf/desk.cfg",
            f"police = {proxy(topology, 'incident-desk->police-ict')}\nlisten = 0.0.0.0:8080\n",
        ),
        "router-north": (
            "router.cfg",
            f"region = north\nupstream = {proxy(topology, 'router-north->police-ict')}\n",
        ),
    }
    for name in configs:
        assert services[name]["volumes"] == [
            {
                "type": "bind",
                "source": str(run_root / name),
                "target": f"{OWN_CONFIG_DIR}/{name}",
                "read_only": True,
            }
        ]


def test_listeners_have_fixed_container_ports_and_proxies_point_at_them(
    topology: Topology,
) -> None:
    assert container_ports(topology.services["incident-desk"]) == {"http": 8080, "admin": 9001}
    assert container_ports(topology.services["router-north"]) == {"sip": 5060}
    upstreams = {spec["name"]: spec["upstream"] for spec in proxy_specs(topology)}
    assert upstreams["operators->incident-desk"] == "incident-desk:8080"
    assert upstreams["admins->incident-desk"] == "incident-desk:9001"


def test_an_own_program_publishes_its_health_listener_and_only_that(
    topology: Topology, services: dict[str, Any]
) -> None:
    mine = {spot for spot in published(topology) if spot[0] != TOXIPROXY}
    assert mine == {
        ("incident-desk", 8080),  # http GET /health
        ("router-north", 5060),  # sip OPTIONS
        ("watcher", 7000),  # tcp on its primary listener
        ("police-ict", 8080),
    }
    assert services["incident-desk"]["ports"] == ["127.0.0.1::8080"]
    assert services["router-north"]["ports"] == ["127.0.0.1::5060"]


def test_host_ports_given_are_pinned_for_own_programs_too(topology: Topology) -> None:
    host_ports = {spot: 40000 + i for i, spot in enumerate(published(topology))}
    services = compose_config(topology, host_ports)["services"]
    for (service, port), host_port in host_ports.items():
        assert f"127.0.0.1:{host_port}:{port}" in services[service]["ports"]


def test_the_rendered_file_reads_back_as_the_same_compose_file(
    topology: Topology, run_root: Path
) -> None:
    text = render(topology, run_root=run_root)
    assert YAML(typ="safe", pure=True).load(text) == compose_config(topology, run_root=run_root)


def test_run_without_an_image_is_refused_for_the_compose_backend_before_docker_is_asked(
    tmp_path: Path,
) -> None:
    file = tmp_path / "no-image.yaml"
    file.write_text(
        "version: 1\nname: no-image\nregions: {}\nservices:\n"
        "  desk: {listen: [http], run: {command: [python3, desk.py]}}\n",
        encoding="utf-8",
    )
    topology = load_topology(file)
    message = "desk: a team's own program needs image: for the compose backend"
    with pytest.raises(InvalidInput, match=message) as compose_file_error:
        compose_config(topology)
    assert compose_file_error.value.exit_code == 2
    backend = ComposeBackend(topology, project="dc-test-no-image", state=tmp_path / "state")
    with pytest.raises(InvalidInput, match=message):
        backend.up(timeout=5)
