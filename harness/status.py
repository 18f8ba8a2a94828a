"""`harness status`: every service endpoint and every proxy of the running stack, live.

On an external stack the services' health checks say whether each is up, and a team's proxy
that is missing from the team's Toxiproxy is a problem (the CLI exits 3 naming it)."""

from __future__ import annotations

from typing import Any

from harness.backends import probes
from harness.errors import HarnessError
from harness.model.stack import StackInfo
from harness.supervision import SupervisorClient
from harness.toxiproxy.client import ProxyState, ToxiproxyClient


def stack_status(info: StackInfo) -> dict[str, Any]:
    """StackInfo joined with what Toxiproxy and the supervisor say right now."""
    live, toxiproxy_ok = _proxies_now(info)
    missing = [
        f"link {link}: the team's proxy '{p.name}' is not in Toxiproxy at {info.toxiproxy}"
        for link, p in sorted(info.proxies.items())
        if p.team and toxiproxy_ok and p.name not in live
    ]
    return {
        "up": True,
        "backend": info.backend,
        "topology": info.topology,
        "toxiproxy": {"api": info.toxiproxy, "reachable": toxiproxy_ok},
        "services": _services(info, _processes_now(info)),
        "proxies": _proxies(info, live),
        "problems": missing,
    }


def _proxies_now(info: StackInfo) -> tuple[dict[str, ProxyState], bool]:
    """Every proxy as Toxiproxy has it, and whether Toxiproxy answered at all."""
    client = ToxiproxyClient(info.toxiproxy, timeout=2.0)
    try:
        return client.proxies(), True
    except HarnessError:
        return {}, False
    finally:
        client.close()


def _processes_now(info: StackInfo) -> dict[str, Any]:
    """The supervisor's view of its processes (local backend); an external stack's services
    by their health checks; else nothing."""
    if info.backend == "external":
        return {name: {"alive": ok} for name, ok in probes.healthy(info.services).items()}
    if not info.control:
        return {}
    try:
        services: dict[str, Any] = SupervisorClient(info.control, timeout=2).call("status")[
            "services"
        ]
        return services
    except HarnessError:
        return {}


def _services(info: StackInfo, processes: dict[str, Any]) -> list[dict[str, Any]]:
    services = []
    for name, svc in sorted(info.services.items()):
        proc = processes.get(name, {})
        services.append(
            {
                "name": name,
                "kind": svc.kind,
                "region": svc.region,
                "endpoints": svc.endpoints,
                "pid": proc.get("pid", svc.pid),
                "alive": proc.get("alive"),
                "paused": proc.get("paused"),
                "container": svc.container,
            }
        )
    return services


def _proxies(info: StackInfo, live: dict[str, ProxyState]) -> list[dict[str, Any]]:
    proxies = []
    for name, proxy in sorted(info.proxies.items()):
        state = live.get(proxy.name)  # on an external stack a proxy is not named like its link
        proxies.append(
            {
                "name": name,
                "proxy": proxy.name,
                "team": proxy.team,
                "listen": state.listen if state else proxy.listen,
                "upstream": state.upstream if state else proxy.upstream,
                "reach": proxy.reach,
                "enabled": state.enabled if state else None,
                "present": state is not None,
                "toxics": [
                    {
                        "name": t.name,
                        "type": t.type,
                        "stream": t.stream,
                        "toxicity": t.toxicity,
                        "attributes": t.attributes,
                    }
                    for t in (state.toxics if state else ())
                ],
            }
        )
    return proxies
