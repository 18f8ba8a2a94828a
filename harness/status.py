"""`harness status`: every service endpoint and every proxy of the running stack, live."""

from __future__ import annotations

from typing import Any

from harness.backends.local.control import SupervisorClient
from harness.backends.stack import StackInfo
from harness.errors import HarnessError
from harness.toxiproxy.client import ToxiproxyClient


def stack_status(info: StackInfo) -> dict[str, Any]:
    """StackInfo joined with what Toxiproxy and the supervisor say right now."""
    client = ToxiproxyClient(info.toxiproxy, timeout=2.0)
    try:
        live = client.proxies()
        toxiproxy_ok = True
    except HarnessError:
        live, toxiproxy_ok = {}, False
    finally:
        client.close()
    processes: dict[str, Any] = {}
    if info.control:
        try:
            processes = SupervisorClient(info.control, timeout=2).call("status")["services"]
        except HarnessError:
            processes = {}
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
    proxies = []
    for name, proxy in sorted(info.proxies.items()):
        state = live.get(name)
        proxies.append(
            {
                "name": name,
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
    return {
        "up": True,
        "backend": info.backend,
        "topology": info.topology,
        "toxiproxy": {"api": info.toxiproxy, "reachable": toxiproxy_ok},
        "services": services,
        "proxies": proxies,
    }
