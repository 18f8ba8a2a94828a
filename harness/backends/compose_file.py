"""The docker-compose file for a topology: one container per service plus one Toxiproxy.

Inside the compose network every service listens on fixed ports (CONTAINER_PORTS) on 0.0.0.0,
and every dependency dials `toxiproxy:<port of that link's proxy>`; the proxy's upstream is
`<service>:<port>`. A link's proxy port follows from the sorted link list, so the same topology
always gives the same file. Only what the harness needs from outside is published, on
127.0.0.1: the Toxiproxy API, the client links' proxies (where load enters) and every service's
http port (health and control). This file lets Docker pick the host ports; ComposeBackend fixes
them (`host_ports`), because Docker picks new ones whenever a container is started again.

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
from harness.errors import InvalidInput
from harness.model.topology import Topology, load_topology

CONTAINER_PORTS = {"sip": 5060, "http": 8080, "line": 7000}  # listener -> port in a container
TOXIPROXY = "toxiproxy"  # the Toxiproxy container's service name (and host name)
TOXIPROXY_API_PORT = 8474
FIRST_PROXY_PORT = 10000
DATA_DIR = "/data"
STATEFUL_KINDS = frozenset({"gms", "meldkamer"})  # keep SQLite (WAL) files in a volume
CONFIG_ENV = "DC_SERVICE_CONFIG"
LABELS = {PROJECT_LABEL: PROJECT}

Published = tuple[str, int]  # (compose service, container port) reachable from the host


def proxy_ports(topology: Topology) -> dict[str, int]:
    """link name -> the port its proxy listens on inside the Toxiproxy container."""
    return {name: FIRST_PROXY_PORT + i for i, name in enumerate(sorted(topology.links))}


def proxy_specs(topology: Topology) -> list[dict[str, Any]]:
    """Every link's proxy as Toxiproxy's POST /populate takes it."""
    ports = proxy_ports(topology)
    return [
        {
            "name": name,
            "listen": f"0.0.0.0:{ports[name]}",
            "upstream": f"{link.target}:{CONTAINER_PORTS[link.port]}",
            "enabled": True,
        }
        for name, link in sorted(topology.links.items())
    ]


def client_proxy_ports(topology: Topology) -> dict[str, int]:
    """The client links (where load enters): the proxies published on the host."""
    ports = proxy_ports(topology)
    return {name: ports[name] for name, link in sorted(topology.links.items()) if link.client}


def published(topology: Topology) -> list[Published]:
    """What the host can reach: the Toxiproxy API, client links' proxies, services' http."""
    toxiproxy = [(TOXIPROXY, TOXIPROXY_API_PORT)]
    toxiproxy += [(TOXIPROXY, port) for port in client_proxy_ports(topology).values()]
    return toxiproxy + [(name, CONTAINER_PORTS["http"]) for name in sorted(topology.services)]


def _ports(
    service: str, container_ports: list[int], host_ports: Mapping[Published, int] | None
) -> list[str]:
    if host_ports is None:
        return [f"127.0.0.1::{port}" for port in container_ports]
    return [f"127.0.0.1:{host_ports[service, port]}:{port}" for port in container_ports]


def volume_name(service: str) -> str:
    return f"{service}-data"


def _service(
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


def compose_config(
    topology: Topology, host_ports: Mapping[Published, int] | None = None
) -> dict[str, Any]:
    """The compose file as data; without `host_ports` Docker picks the published ports."""
    if TOXIPROXY in topology.services:
        raise InvalidInput(f"{topology.file}: a service may not be named '{TOXIPROXY}'")
    services = {TOXIPROXY: _toxiproxy(topology, host_ports)}
    for name in sorted(topology.services):
        services[name] = _service(topology, name, host_ports)
    volumes = {
        volume_name(name): {"labels": dict(LABELS)}
        for name in sorted(topology.services)
        if topology.services[name].kind in STATEFUL_KINDS
    }
    return {
        "version": "2.4",
        "services": services,
        "networks": {"default": {"labels": dict(LABELS)}},
        "volumes": volumes,
    }


def render(topology: Topology, host_ports: Mapping[Published, int] | None = None) -> str:
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
    yaml.dump(compose_config(topology, host_ports), out)
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
