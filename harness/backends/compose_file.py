"""The docker-compose file for a topology: one container per service plus one Toxiproxy.

Inside the compose network every service listens on fixed ports (`container_ports`) on
0.0.0.0, and every dependency dials `toxiproxy:<port of that link's proxy>`; the proxy's
upstream is `<service>:<port>`. A link's proxy port follows from the sorted link list, so the
same topology always gives the same file. Only what the harness needs from outside is
published, on 127.0.0.1: the Toxiproxy API, the client links' proxies (where load enters), every
mock's http port (health and control) and every own program's health (and http) listener. This
file lets Docker pick the host ports; ComposeBackend fixes them (`host_ports`), because Docker
picks new ones whenever a container is started again.

A team's own program (`image:`) runs as a container of its image, which the harness never
pulls; its command, env and config file get the addresses through the templates of
harness/model/program.py, and its rendered config is mounted read-only under OWN_CONFIG_DIR.

The proxies themselves are created through the Toxiproxy API when the stack comes up
(ComposeBackend), from `proxy_specs`.

    python -m harness.backends.compose_file TOPOLOGY > docker-compose.yml    # make compose-file

The file uses format 2.4, which docker-compose v1 (Debian's 1.29) and `docker compose` v2
both accept.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from harness.backends.images import MOCK_IMAGE, PROJECT, PROJECT_LABEL, TOXIPROXY_IMAGE
from harness.backends.wiring import service_config
from harness.errors import InvalidInput, Problem
from harness.model.program import render as fill_templates
from harness.model.topology import Service, Topology, load_topology
from harness.paths import state_dir

CONTAINER_PORTS = {"sip": 5060, "http": 8080, "line": 7000}  # listener -> port in a container
FIRST_OTHER_PORT = 9000  # an own program's listener of another name: 9000 + its index
OWN_CONFIG_DIR = "/etc/dispatch-chaos"  # <OWN_CONFIG_DIR>/<service>/<to>: a rendered config
TOXIPROXY = "toxiproxy"  # the Toxiproxy container's service name (and host name)
TOXIPROXY_API_PORT = 8474
FIRST_PROXY_PORT = 10000
DATA_DIR = "/data"
STATEFUL_KINDS = frozenset({"gms", "meldkamer"})  # keep SQLite (WAL) files in a volume
CONFIG_ENV = "DC_SERVICE_CONFIG"
LABELS = {PROJECT_LABEL: PROJECT}

Published = tuple[str, int]  # (compose service, container port) reachable from the host


def container_ports(service: Service) -> dict[str, int]:
    """listener -> its port inside the service's container: fixed per listener name, so a
    restarted container answers where its proxies point."""
    return {
        listener: CONTAINER_PORTS.get(listener, FIRST_OTHER_PORT + index)
        for index, listener in enumerate(service.listeners)
    }


def published_listeners(service: Service) -> tuple[str, ...]:
    """What the host reaches of a service: a mock's http listener (health and control); an
    own program's health listener first (probes use the first endpoint), and http (evidence)."""
    if not service.own:
        return ("http",)
    listeners = [service.health.listener(service.listeners)]
    return tuple(dict.fromkeys([*listeners, *(["http"] if "http" in service.listeners else [])]))


def proxy_ports(topology: Topology) -> dict[str, int]:
    """link name -> the port its proxy listens on inside the Toxiproxy container."""
    return {name: FIRST_PROXY_PORT + i for i, name in enumerate(sorted(topology.links))}


def proxy_specs(topology: Topology) -> list[dict[str, Any]]:
    """Every link's proxy as Toxiproxy's POST /populate takes it."""
    ports = proxy_ports(topology)
    specs = []
    for name, link in sorted(topology.links.items()):
        target = container_ports(topology.services[link.target])[link.port]
        specs.append(
            {
                "name": name,
                "listen": f"0.0.0.0:{ports[name]}",
                "upstream": f"{link.target}:{target}",
                "enabled": True,
            }
        )
    return specs


def client_proxy_ports(topology: Topology) -> dict[str, int]:
    """The client links (where load enters): the proxies published on the host."""
    ports = proxy_ports(topology)
    return {name: ports[name] for name, link in sorted(topology.links.items()) if link.client}


def published(topology: Topology) -> list[Published]:
    """What the host can reach: the Toxiproxy API, client links' proxies, services' http (an
    own program's health listener)."""
    toxiproxy = [(TOXIPROXY, TOXIPROXY_API_PORT)]
    toxiproxy += [(TOXIPROXY, port) for port in client_proxy_ports(topology).values()]
    return toxiproxy + [
        (name, container_ports(svc)[listener])
        for name, svc in sorted(topology.services.items())
        for listener in published_listeners(svc)
    ]


def _ports(
    service: str, container_ports: list[int], host_ports: Mapping[Published, int] | None
) -> list[str]:
    if host_ports is None:
        return [f"127.0.0.1::{port}" for port in container_ports]
    return [f"127.0.0.1:{host_ports[service, port]}:{port}" for port in container_ports]


def volume_name(service: str) -> str:
    return f"{service}-data"


def check_programs(topology: Topology) -> None:
    """Every own program can run here: it has an image. Raises InvalidInput (exit 2)."""
    problems = [
        f"{name}: a team's own program needs image: for the compose backend"
        for name, svc in sorted(topology.services.items())
        if svc.program is not None and svc.program.image is None
    ]
    if problems:
        raise InvalidInput([Problem(topology.file, None, text) for text in problems])


def own_images(topology: Topology) -> dict[str, str]:
    """own service -> the image it runs (which must exist locally: never pulled)."""
    return {
        name: svc.program.image
        for name, svc in sorted(topology.services.items())
        if svc.program is not None and svc.program.image is not None
    }


def config_path(service: Service) -> str | None:
    """Where an own program finds its rendered config inside its container."""
    to = service.program.config_to if service.program is not None else None
    return f"{OWN_CONFIG_DIR}/{service.name}/{to}" if to else None


def _fill(topology: Topology, service: Service, text: str) -> str:
    """`text` with the templates filled as the compose network sees it: a link is its proxy
    in the Toxiproxy container, a listener all interfaces on the fixed container port."""
    links = {name: f"{TOXIPROXY}:{port}" for name, port in proxy_ports(topology).items()}
    listen = {n: f"0.0.0.0:{port}" for n, port in container_ports(service).items()}
    return fill_templates(text, links, listen, config_path(service))


def program_configs(topology: Topology) -> dict[str, tuple[str, str]]:
    """own service -> (to, text) of its rendered config file, for those that have one."""
    configs = {}
    for name, svc in sorted(topology.services.items()):
        program = svc.program
        if program is None or not program.template or not program.config_to:
            continue
        text = Path(program.template).read_text(encoding="utf-8")
        if svc.region is not None:  # the loader expanded it in command and env, not here
            text = text.replace("{region}", svc.region)
        configs[name] = (program.config_to, _fill(topology, svc, text))
    return configs


def _compose_text(text: str) -> str:
    return text.replace("$", "$$")  # `$` would be compose interpolation


def _own(
    topology: Topology, name: str, host_ports: Mapping[Published, int] | None, run_root: Path
) -> dict[str, Any]:
    """A team's program: its image (`pull_policy` for compose v2; v1 ignores it, so
    ComposeBackend checks the image exists first), its command and env with templates filled."""
    svc = topology.services[name]
    program = svc.program
    assert program is not None and program.image is not None  # check_programs
    entry: dict[str, Any] = {"image": program.image, "pull_policy": "never"}
    if program.command:  # else the image's own
        entry["command"] = [_compose_text(_fill(topology, svc, arg)) for arg in program.command]
    if program.env:
        entry["environment"] = {
            key: _compose_text(_fill(topology, svc, value)) for key, value in program.env
        }
    ports = container_ports(svc)
    entry.update(
        {
            "init": True,  # a fault's SIGKILL and compose's stop reach the whole program
            "stop_grace_period": "2s",
            "labels": dict(LABELS),
            "ports": _ports(name, [ports[n] for n in published_listeners(svc)], host_ports),
        }
    )
    if config_path(svc) is not None:
        mount = {
            "type": "bind",
            "source": _compose_text(str((run_root / name).resolve())),
            "target": f"{OWN_CONFIG_DIR}/{name}",
            "read_only": True,
        }
        entry["volumes"] = [mount]
    return entry


def _mock(
    topology: Topology, name: str, host_ports: Mapping[Published, int] | None
) -> dict[str, Any]:
    svc = topology.services[name]
    unknown = [listener for listener in svc.listeners if listener not in CONTAINER_PORTS]
    if unknown:
        raise InvalidInput(f"{name}: no container port for listener(s) {', '.join(unknown)}")
    listen = {
        listener: {"host": "0.0.0.0", "port": CONTAINER_PORTS[listener]}
        for listener in svc.listeners
    }
    ports = proxy_ports(topology)
    proxies = {link: (TOXIPROXY, port) for link, port in ports.items()}
    stateful = svc.kind in STATEFUL_KINDS
    config = service_config(topology, name, listen, proxies, DATA_DIR if stateful else None)
    entry: dict[str, Any] = {
        "image": MOCK_IMAGE,
        "command": ["python3", "-m", svc.module],
        # `$` would be compose interpolation; the config is plain JSON otherwise.
        "environment": {CONFIG_ENV: json.dumps(config, sort_keys=True).replace("$", "$$")},
        "init": True,  # SIGTERM and zombie reaping handled by docker-init, not by PID 1 python
        "stop_grace_period": "2s",
        "labels": dict(LABELS),
        "ports": _ports(name, [CONTAINER_PORTS["http"]], host_ports),
    }
    if stateful:
        entry["volumes"] = [f"{volume_name(name)}:{DATA_DIR}"]
    return entry


def _toxiproxy(topology: Topology, host_ports: Mapping[Published, int] | None) -> dict[str, Any]:
    ports = [port for service, port in published(topology) if service == TOXIPROXY]
    return {
        "image": TOXIPROXY_IMAGE,
        "command": ["-host=0.0.0.0", f"-port={TOXIPROXY_API_PORT}"],
        "init": True,
        "stop_grace_period": "2s",
        "labels": dict(LABELS),
        "ports": _ports(TOXIPROXY, ports, host_ports),
    }


def default_run_root() -> Path:
    return state_dir() / "compose" / "run"


def compose_config(
    topology: Topology,
    host_ports: Mapping[Published, int] | None = None,
    run_root: Path | None = None,
) -> dict[str, Any]:
    """The compose file as data; without `host_ports` Docker picks the published ports.
    `run_root/<service>/` holds the own programs' rendered configs (program_configs)."""
    if TOXIPROXY in topology.services:
        raise InvalidInput(f"{topology.file}: a service may not be named '{TOXIPROXY}'")
    check_programs(topology)
    services = {TOXIPROXY: _toxiproxy(topology, host_ports)}
    for name, svc in sorted(topology.services.items()):
        if svc.own:
            services[name] = _own(topology, name, host_ports, run_root or default_run_root())
        else:
            services[name] = _mock(topology, name, host_ports)
    volumes = {
        volume_name(name): {"labels": dict(LABELS)}
        for name, svc in sorted(topology.services.items())
        if svc.kind in STATEFUL_KINDS and not svc.own  # an own program keeps its data itself
    }
    return {
        "version": "2.4",
        "services": services,
        "networks": {"default": {"labels": dict(LABELS)}},
        "volumes": volumes,
    }


def render(
    topology: Topology,
    host_ports: Mapping[Published, int] | None = None,
    run_root: Path | None = None,
) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 4096  # keep each config JSON on one line
    out = io.StringIO()
    out.write(
        f"# Generated from topology '{topology.name}' by harness/backends/compose_file.py\n"
        "# (`make compose-file`); do not edit. The Toxiproxy proxies are created through its\n"
        "# API when the stack comes up: use `harness up --backend compose`.\n"
    )
    yaml.dump(compose_config(topology, host_ports, run_root), out)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m harness.backends.compose_file TOPOLOGY", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(render(load_topology(Path(args[0]))))
    except InvalidInput as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
