"""A team's own stack, described for the external backend (docs/backends.md):

    version: 1
    topology: topologies/meldkamer-nl.yaml      # relative to this file
    toxiproxy: 127.0.0.1:8474                   # the team's Toxiproxy API
    proxies: {prefix: dc-}                      # the proxies the harness creates: prefix + link
    links:
      callers->telephony: {proxy: team-112-entry}                 # the team's existing proxy
      telephony->meldkamer-rotterdam: {listen: 127.0.0.1:25001}   # one the harness creates
    services:
      telephony: {endpoints: {sip: 127.0.0.1:5060, http: 127.0.0.1:8080}, health: sip OPTIONS}

Every link of the topology needs a proxy and every service the endpoints of its listeners.
Loading reads files only (no sockets); what the team's Toxiproxy holds is checked when a run
connects (harness/backends/external.py).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from harness.errors import InvalidInput, Problem
from harness.model.program import parse_health
from harness.model.source import Source, load_yaml
from harness.model.stack import ServiceInfo
from harness.model.topology import Service, Topology, load_topology

Path_ = tuple[str | int, ...]
PREFIX = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SHOWN = 4  # missing links or services named in one problem before "and N more"


def _address(value: str) -> str:
    """`host:port`, the port a number Toxiproxy can listen on or connect to."""
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected host:port (such as 127.0.0.1:5060), got '{value}'")
    return value


Address = Annotated[str, AfterValidator(_address)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _prefix(value: str) -> str:
    if not re.fullmatch(PREFIX, value):
        raise ValueError(f"bad prefix '{value}': use letters, digits, '.', '_', '-' (at least one)")
    return value


class ProxiesFile(_Strict):
    prefix: Annotated[str, AfterValidator(_prefix)] = "dc-"


class LinkFile(_Strict):
    proxy: str | None = Field(None, min_length=1)  # an existing proxy of the team's
    listen: Address | None = None  # ... or one the harness creates, listening here

    @model_validator(mode="after")
    def _one(self) -> LinkFile:
        if (self.proxy is None) == (self.listen is None):
            raise ValueError(
                "give either proxy: NAME (the team's proxy) or listen: HOST:PORT "
                "(a proxy the harness creates)"
            )
        return self


class ServiceFile(_Strict):
    endpoints: dict[str, Address]
    health: str | None = None  # tcp | http GET /path | sip OPTIONS; else the topology's


class StackFile(_Strict):
    version: Literal[1]
    topology: str = Field(min_length=1)
    toxiproxy: Address
    proxies: ProxiesFile = ProxiesFile()
    links: dict[str, LinkFile]
    services: dict[str, ServiceFile]


@dataclass(frozen=True)
class LinkProxy:
    """One link's proxy: the team's (`team` names it) or one the harness creates."""

    link: str
    name: str
    team: bool
    listen: str | None = None  # created: where it listens
    upstream: str | None = None  # created: the target service's listener


@dataclass(frozen=True)
class ExternalStack:
    file: str
    topology: Topology
    toxiproxy: str
    prefix: str
    links: dict[str, LinkProxy]
    services: dict[str, ServiceInfo]


def _near(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _some(names: list[str]) -> str:
    more = len(names) - SHOWN
    return ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")


class _Checker:
    """What the schema cannot check: the description against its topology."""

    def __init__(self, src: Source, spec: StackFile, topology: Topology) -> None:
        self.src, self.spec, self.topology = src, spec, topology
        self.problems: list[Problem] = []

    def fail(self, path: Path_, message: str) -> None:
        where = ".".join(str(p) for p in path)
        self.problems.append(self.src.problem(path, f"{where}: {message}"))

    def services(self) -> dict[str, ServiceInfo]:
        found: dict[str, ServiceInfo] = {}
        for name, svc in self.spec.services.items():
            service = self.topology.services.get(name)
            if service is None:
                known = list(self.topology.services)
                self.fail(("services", name), f"unknown service '{name}'{_near(name, known)}")
                continue
            if (info := self.service(service, svc)) is not None:
                found[name] = info
        missing = [s for s in self.topology.services if s not in self.spec.services]
        if missing:
            self.fail(
                ("services",),
                f"no endpoints for {_some(missing)} (every service needs its listeners' host:port)",
            )
        return found

    def service(self, service: Service, svc: ServiceFile) -> ServiceInfo | None:
        path: Path_ = ("services", service.name)
        listeners = service.listeners
        has = f"{service.name} listens on {', '.join(listeners)}"
        for listener in svc.endpoints:
            if listener not in listeners:
                self.fail((*path, "endpoints", listener), f"unknown listener '{listener}' ({has})")
        lacking = [x for x in listeners if x not in svc.endpoints]
        if lacking:
            self.fail((*path, "endpoints"), f"missing listener {', '.join(lacking)} ({has})")
        health = service.health
        if svc.health is not None:
            try:
                health = parse_health(svc.health)
            except ValueError as exc:
                self.fail((*path, "health"), str(exc))
                return None
        if lacking:
            return None
        endpoints = {x: svc.endpoints[x] for x in listeners}  # the topology's order
        return ServiceInfo(
            service.name,
            service.kind,
            service.region,
            endpoints,
            health=str(health),
            offers=tuple(sorted(service.offers)) if service.own else None,
        )

    def links(self, services: dict[str, ServiceInfo]) -> dict[str, LinkProxy]:
        found: dict[str, LinkProxy] = {}
        team: dict[str, str] = {}  # the team's proxy -> the link it serves
        listening: dict[str, str] = {}  # a created proxy's address -> its link
        for name, spec in self.spec.links.items():
            path: Path_ = ("links", name)
            link = self.topology.links.get(name)
            if link is None:
                self.fail(path, f"unknown link '{name}'{_near(name, list(self.topology.links))}")
            elif spec.proxy is not None:
                if spec.proxy in team:
                    self.fail(
                        (*path, "proxy"),
                        f"'{spec.proxy}' is already the proxy of {team[spec.proxy]}",
                    )
                team[spec.proxy] = name
                found[name] = LinkProxy(name, spec.proxy, True)
            elif spec.listen is not None:
                if spec.listen in listening:
                    self.fail(
                        (*path, "listen"),
                        f"{spec.listen} is taken by {listening[spec.listen]}'s proxy",
                    )
                listening[spec.listen] = name
                target = services.get(link.target)
                upstream = target.endpoints[link.port] if target is not None else None
                found[name] = LinkProxy(
                    name, self.spec.proxies.prefix + name, False, spec.listen, upstream
                )
        missing = [link for link in self.topology.links if link not in self.spec.links]
        if missing:
            self.fail(
                ("links",),
                f"no proxy for {_some(missing)} (every link needs proxy: NAME or listen: HOST:PORT)",
            )
        return found


def build_external_stack(src: Source) -> ExternalStack:
    """Validate a parsed stack file against its topology. Raises InvalidInput."""
    spec = src.validate(StackFile)
    path = Path(src.file).parent / spec.topology
    if not path.is_file():
        raise InvalidInput([src.problem(("topology",), f"topology: no such file {path}")])
    topology = load_topology(path)
    check = _Checker(src, spec, topology)
    services = check.services()
    links = check.links(services)
    if check.problems:
        raise InvalidInput(sorted(check.problems, key=lambda p: p.line or 0))
    prefix = spec.proxies.prefix
    return ExternalStack(src.file, topology, spec.toxiproxy, prefix, links, services)


def load_external_stack(path: Path) -> ExternalStack:
    return build_external_stack(load_yaml(path))
