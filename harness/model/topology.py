"""The topology: which services exist, in which regions, and which link depends on which.

The file format (scenarios/topologies/*.yaml, documented in docs/topology.md) uses `{region}`
templates; `load_topology` expands them into concrete services and links, every link named
`<from>-><to>` and later backed by its own Toxiproxy proxy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import InvalidInput, Problem
from harness.model.duration import Duration
from harness.model.kinds import KINDS
from harness.model.source import Source, load_yaml

NAME = r"^[a-z][a-z0-9-]*$"
TEMPLATE = "{region}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PolicyFile(_Strict):
    timeout: Duration = 1.0
    retries: int = Field(0, ge=0, le=10)
    required: bool = True
    fallback: str | None = None
    regions: list[str] | None = None  # only for these regions of a regional service


class ServiceFile(_Strict):
    kind: str
    depends: dict[str, PolicyFile] = Field(default_factory=dict)


class RegionFile(_Strict):
    backup: str | None = None
    description: str = ""


class ClientFile(_Strict):
    to: list[str]
    port: str | None = None


class TopologyFile(_Strict):
    version: Literal[1]
    name: str = Field(pattern=NAME)
    description: str = ""
    regions: dict[str, RegionFile]
    services: dict[str, ServiceFile]
    clients: dict[str, ClientFile] = Field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """How a service treats one dependency: give up after `timeout`, try `retries` more times,
    and when it still fails either fail (`required`) or use `fallback`."""

    timeout: float = 1.0
    retries: int = 0
    required: bool = True
    fallback: str | None = None


@dataclass(frozen=True)
class Region:
    name: str
    backup: str | None = None


@dataclass(frozen=True)
class Service:
    name: str
    kind: str
    region: str | None = None

    @property
    def module(self) -> str:
        return KINDS[self.kind].module

    @property
    def listeners(self) -> tuple[str, ...]:
        return KINDS[self.kind].listeners


@dataclass(frozen=True)
class Link:
    """A directed connection `source->target`, through its own proxy, to one of the target's
    listeners. Client links (from load generators) carry no policy."""

    source: str
    target: str
    port: str
    policy: Policy | None = None
    client: bool = False

    @property
    def name(self) -> str:
        return f"{self.source}->{self.target}"


@dataclass(frozen=True)
class Topology:
    name: str
    description: str
    file: str
    regions: dict[str, Region]
    services: dict[str, Service]
    links: dict[str, Link]
    clients: dict[str, tuple[str, ...]] = field(default_factory=dict)  # client -> its links

    def dependencies(self, service: str) -> list[Link]:
        return [link for link in self.links.values() if link.source == service]

    def dependents(self, service: str) -> list[Link]:
        return [link for link in self.links.values() if link.target == service]

    def services_in(self, region: str) -> list[Service]:
        return [s for s in self.services.values() if s.region == region]


def _expand(name: str, region: str | None) -> str:
    return name.replace(TEMPLATE, region) if region is not None else name


def _check_name(
    src: Source, path: tuple[str | int, ...], name: str, problems: list[Problem]
) -> None:
    if not re.match(NAME, name.replace(TEMPLATE, "x")):
        problems.append(src.problem(path, f"bad name '{name}': use lower-case letters, digits, -"))


def build_topology(src: Source) -> Topology:
    """Validate a parsed topology file and expand its templates. Raises InvalidInput."""
    spec = src.validate(TopologyFile)
    problems: list[Problem] = []
    regions = {name: Region(name, r.backup) for name, r in spec.regions.items()}
    for name, rfile in spec.regions.items():
        _check_name(src, ("regions", name), name, problems)
        if rfile.backup is not None and rfile.backup not in regions:
            problems.append(
                src.problem(("regions", name, "backup"), f"unknown backup region '{rfile.backup}'")
            )
        if rfile.backup == name:
            problems.append(
                src.problem(("regions", name, "backup"), "a region cannot back up itself")
            )

    services: dict[str, Service] = {}
    templates: dict[str, tuple[str, ...]] = {}  # file name -> concrete names
    broken: set[str] = set()  # services of an unknown kind: reported once, not again as targets
    for name, svc in spec.services.items():
        _check_name(src, ("services", name), name, problems)
        if svc.kind not in KINDS:
            broken.update(_expand(name, r) for r in regions) if TEMPLATE in name else broken.add(
                name
            )
            problems.append(
                src.problem(
                    ("services", name, "kind"),
                    f"unknown kind '{svc.kind}' (known: {', '.join(KINDS)})",
                )
            )
            continue
        per_region = TEMPLATE in name
        concrete = [(_expand(name, r), r) for r in regions] if per_region else [(name, None)]
        templates[name] = tuple(n for n, _ in concrete)
        for cname, region in concrete:
            services[cname] = Service(cname, svc.kind, region)

    links: dict[str, Link] = {}
    for name, svc in spec.services.items():
        if svc.kind not in KINDS:
            continue
        for target, pol in svc.depends.items():
            path = ("services", name, "depends", target)
            kind = KINDS[svc.kind]
            if pol.fallback is not None and pol.fallback not in kind.fallbacks:
                known = ", ".join(kind.fallbacks) or "none"
                problems.append(
                    src.problem(
                        (*path, "fallback"),
                        f"a {svc.kind} has no fallback '{pol.fallback}' (known: {known})",
                    )
                )
            for unknown in set(pol.regions or []) - set(regions):
                problems.append(src.problem((*path, "regions"), f"unknown region '{unknown}'"))
            policy = Policy(pol.timeout, pol.retries, pol.required, pol.fallback)
            for source, region in _instances(name, regions):
                if pol.regions is not None and region not in pol.regions:
                    continue
                for tgt in _targets(target, region, templates, regions):
                    if tgt not in services:
                        if tgt not in broken:
                            problems.append(src.problem(path, f"unknown service '{tgt}'"))
                        continue
                    if tgt == source:
                        problems.append(src.problem(path, "a service cannot depend on itself"))
                        continue
                    link = Link(source, tgt, KINDS[services[tgt].kind].primary, policy)
                    links[link.name] = link

    clients: dict[str, tuple[str, ...]] = {}
    for cname, client in spec.clients.items():
        _check_name(src, ("clients", cname), cname, problems)
        if cname in services:
            problems.append(src.problem(("clients", cname), f"'{cname}' is already a service"))
        names: list[str] = []
        for index, target in enumerate(client.to):
            for tgt in _targets(target, None, templates, regions):
                if tgt not in services:
                    problems.append(
                        src.problem(("clients", cname, "to", index), f"unknown service '{tgt}'")
                    )
                    continue
                listeners = KINDS[services[tgt].kind].listeners
                port = client.port or listeners[0]
                if port not in listeners:
                    problems.append(
                        src.problem(
                            ("clients", cname, "port"),
                            f"'{tgt}' has no listener '{port}' (it has {', '.join(listeners)})",
                        )
                    )
                    continue
                link = Link(cname, tgt, port, None, client=True)
                links[link.name] = link
                names.append(link.name)
        clients[cname] = tuple(names)

    problems.extend(_cycles(src, links))
    if problems:
        raise InvalidInput(problems)
    return Topology(spec.name, spec.description, src.file, regions, services, links, clients)


def _instances(name: str, regions: dict[str, Region]) -> list[tuple[str, str | None]]:
    if TEMPLATE in name:
        return [(_expand(name, r), r) for r in regions]
    return [(name, None)]


def _targets(
    target: str,
    region: str | None,
    templates: dict[str, tuple[str, ...]],
    regions: dict[str, Region],
) -> list[str]:
    """`x-{region}` from a regional service means its own region; from anything else, all."""
    if TEMPLATE not in target:
        return [target]
    if region is not None:
        return [_expand(target, region)]
    return [_expand(target, r) for r in regions]


def _cycles(src: Source, links: dict[str, Link]) -> list[Problem]:
    """Dependencies must form a DAG: a cycle would make start-up order and blame undefined."""
    graph: dict[str, list[str]] = {}
    for link in links.values():
        if not link.client:
            graph.setdefault(link.source, []).append(link.target)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*trail, node, nxt]
            if state.get(nxt) is None and (found := visit(nxt, [*trail, node])):
                return found
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node, [])):
            return [src.problem(("services",), f"dependency cycle: {' -> '.join(cycle)}")]
    return []


def load_topology(path: Path) -> Topology:
    return build_topology(load_yaml(path))
