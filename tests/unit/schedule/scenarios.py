"""Small in-memory scenarios for schedule and reconciler tests (no YAML, no topology file)."""

from __future__ import annotations

from datetime import datetime, timedelta

from harness.model.scenario import (
    Action,
    Clock,
    Fault,
    Pattern,
    Scenario,
    Steady,
    ToxicAction,
    Window,
)
from harness.model.topology import Link, Service, Topology

LINKS = ("a->c", "b->c", "c->d")
SERVICES = ("a", "b", "c", "d")


def topology() -> Topology:
    services = {name: Service(name, "police-ict") for name in SERVICES}
    links = {}
    for name in LINKS:
        source, target = name.split("->")
        links[name] = Link(source, target, "http")
    return Topology("test", "", "<test>", {}, services, links)


def fault(
    name: str = "f",
    action: Action | None = None,
    pattern: Pattern | None = None,
    window: tuple[float, float] = (0.0, 100.0),
    links: tuple[str, ...] = ("a->c",),
    services: tuple[str, ...] = (),
) -> Fault:
    return Fault(
        name,
        action or ToxicAction("down"),
        Window(*window),
        pattern or Steady(),
        links if not services else (),
        services,
    )


def scenario(
    *faults: Fault, span: float = 100.0, replay: float | None = None, seed: int = 7
) -> Scenario:
    start = datetime(2020, 9, 15)
    clock = Clock(start, start + timedelta(seconds=span), replay or span)
    return Scenario("test", "", "<test>", topology(), clock, seed, faults=tuple(faults))
