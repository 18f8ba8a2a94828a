"""Wiring: the JSON config each mock service starts from (mock_services/core/config.py).

Every dependency points at the link's proxy, so every link can be faulted on its own.
"""

from __future__ import annotations

from typing import Any

from harness.model.topology import Topology


def service_config(
    topology: Topology,
    service: str,
    listen: dict[str, dict[str, Any]],
    proxy_address: dict[str, tuple[str, int]],
    data_dir: str | None = None,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The config for `service`: its listeners and, per dependency, the proxy to dial."""
    svc = topology.services[service]
    dependencies: dict[str, Any] = {}
    for link in topology.dependencies(service):
        target = topology.services[link.target]
        host, port = proxy_address[link.name]
        policy = link.policy
        assert policy is not None  # service links always carry a policy
        dependencies[target.name] = {
            "service": target.name,
            "kind": target.kind,
            "link": link.name,
            "host": host,
            "port": port,
            "region": target.region,
            "timeout": policy.timeout,
            "retries": policy.retries,
            "required": policy.required,
            "fallback": policy.fallback,
        }
    return {
        "name": svc.name,
        "kind": svc.kind,
        "region": svc.region,
        "listen": listen,
        "dependencies": dependencies,
        "regions": {r.name: r.backup for r in topology.regions.values()},
        "data_dir": data_dir,
        "settings": {**dict(svc.settings), **(settings or {})},
    }
