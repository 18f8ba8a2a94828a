"""The default topology, a scenario with a given load, and a stack description for it."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from harness.model.scenario import Clock, Scenario, TrafficLoad
from harness.model.stack import ProxyInfo, StackInfo
from harness.model.topology import Topology, load_topology
from harness.paths import scenarios_dir

DAY = (datetime(2020, 9, 17, 0, 0), datetime(2020, 9, 18, 0, 0))  # 86400 scenario seconds


@cache
def topology() -> Topology:
    return load_topology(scenarios_dir() / "topologies" / "meldkamer-nl.yaml")


def scenario(load: dict[str, float], replay: float = 60.0, seed: int = 7) -> Scenario:
    return Scenario(
        name="load-test",
        description="",
        file="<test>",
        topology=topology(),
        clock=Clock(DAY[0], DAY[1], replay),
        seed=seed,
        load=tuple(TrafficLoad(t, r) for t, r in load.items()),
    )


def stack(entries: dict[str, str] | None = None, default: str = "127.0.0.1:1") -> StackInfo:
    """A stack whose client-link proxies listen where `entries` says (else on `default`)."""
    entries = entries or {}
    links = [link for links in topology().clients.values() for link in links]
    proxies = {link: ProxyInfo(link, entries.get(link, default), "127.0.0.1:9") for link in links}
    return StackInfo("local", topology().file, "127.0.0.1:8474", {}, proxies)
