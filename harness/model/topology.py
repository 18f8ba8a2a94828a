"""The topology: which services exist, in which regions, and which link depends on which.

The file format (scenarios/topologies/*.yaml, documented in docs/topology.md) uses `{region}`
templates; `load_topology` expands them into concrete services and links, every link named
`<from>-><to>` and later backed by its own Toxiproxy proxy.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from harness.errors import InvalidInput, Problem
from harness.model import own
from harness.model.kinds import KINDS
from harness.model.program import MOCK_HEALTH, Health, Program
from harness.model.source import Source, load_yaml
from harness.model.topology_file import NAME, PolicyFile, ServiceFile, TopologyFile

TEMPLATE = "{region}"


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
    """A mock of `kind`, or (with `program`) a team's own program, which may play a kind's
    role or none (kind `own`)."""

    name: str
    kind: str
    region: str | None = None
    program: Program | None = None
    listen: tuple[str, ...] = ()  # an own program's listeners; a mock has its kind's
    offers: frozenset[str] = frozenset()  # an own program's evidence; a mock has its kind's
    settings: tuple[tuple[str, float | int | None], ...] = ()  # a mock's, e.g. its call-takers

    @property
    def own(self) -> bool:
        return self.program is not None

    @property
    def module(self) -> str:
        return KINDS[self.kind].module

    @property
    def listeners(self) -> tuple[str, ...]:
        return self.listen or KINDS[self.kind].listeners

    @property
    def primary(self) -> str:
        return self.listeners[0]

    @property
    def health(self) -> Health:
        return self.program.health if self.program is not None else MOCK_HEALTH

    @property
    def evidence(self) -> frozenset[str]:
        return self.offers if self.own else frozenset(KINDS[self.kind].offers)


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


Path_ = tuple[str | int, ...]


def _expand(name: str, region: str | None) -> str:
    return name.replace(TEMPLATE, region) if region is not None else name


def _where(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _near(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Builder:
    """Checks what the schema cannot (names, references, regions, cycles) and expands the
    templates, collecting every problem as `file:line: path: message`, each once."""

    def __init__(self, src: Source, spec: TopologyFile) -> None:
        self.src, self.spec = src, spec
        self.problems: list[Problem] = []
        self.regions = {name: Region(name, r.backup) for name, r in spec.regions.items()}
        self.services: dict[str, Service] = {}
        self.made_by: dict[str, str] = {}  # concrete service -> the file's name that made it
        self.broken: set[str] = set()  # already reported: not reported again as targets
        self.links: dict[str, Link] = {}
        self.origin: dict[str, Path_] = {}  # link -> where the file asks for it
        self.base = Path(src.file).parent  # config templates are relative to the topology

    def fail(self, path: Path_, message: str) -> None:
        problem = self.src.problem(path, f"{_where(path)}: {message}")
        if problem not in self.problems:
            self.problems.append(problem)

    def name(self, path: Path_, name: str) -> bool:
        plain = name.replace(TEMPLATE, "x")
        if "{" in plain or "}" in plain:
            self.fail(path, f"bad name '{name}': the only template is {TEMPLATE}")
        elif not re.match(NAME, plain):
            self.fail(path, f"bad name '{name}': use lower-case letters, digits, -")
        else:
            return True
        return False

    def instances(self, name: str) -> list[tuple[str, str | None]]:
        if TEMPLATE in name:
            return [(_expand(name, r), r) for r in self.regions]
        return [(name, None)]

    def check_regions(self) -> None:
        for name, rfile in self.spec.regions.items():
            path = ("regions", name)
            self.name(path, name)
            if rfile.backup == name:
                self.fail((*path, "backup"), "a region cannot back up itself")
            elif rfile.backup is not None and rfile.backup not in self.regions:
                known = list(self.regions)
                self.fail(
                    (*path, "backup"),
                    f"unknown backup region '{rfile.backup}'{_near(rfile.backup, known)}",
                )
        per_region = [name for name in self.spec.services if TEMPLATE in name]
        if per_region and not self.regions:
            self.fail(
                ("regions",),
                f"empty, but {', '.join(per_region)} must be made once per region: "
                "name at least one region",
            )

    def add_services(self) -> None:
        for name, svc in self.spec.services.items():
            path = ("services", name)
            instances = self.instances(name)
            if not self.name(path, name) or not self.service_ok(path, svc):
                self.broken.update([name, *(n for n, _ in instances)])
                continue
            for cname, region in instances:
                if cname in self.made_by:
                    self.fail(path, f"duplicate service '{cname}' ({self.made_by[cname]} made it)")
                    continue
                self.made_by[cname] = name
                self.services[cname] = self.service(path, cname, svc, region)

    def service_ok(self, path: Path_, svc: ServiceFile) -> bool:
        if svc.call_takers is not None and (svc.own or svc.kind != "meldkamer"):
            self.fail((*path, "call_takers"), "only a meldkamer mock has call-takers to set")
            return False
        if not svc.own:
            return own.check_mock(self.fail, path, svc)
        return own.own_program(self.fail, path, svc, self.base, None) is not None

    def service(self, path: Path_, name: str, svc: ServiceFile, region: str | None) -> Service:
        if not svc.own:
            assert svc.kind is not None
            room = svc.call_takers
            settings = () if room is None else tuple(sorted(vars(room).items()))
            return Service(name, svc.kind, region, settings=settings)
        made = own.own_program(lambda *_: None, path, svc, self.base, region)
        assert made is not None  # service_ok reported its problems already
        kind, listen, program, offers = made
        return Service(name, kind, region, program, listen, offers)

    def add_dependencies(self) -> None:
        for name, svc in self.spec.services.items():
            if name in self.broken:
                continue
            for target, pol in svc.depends.items():
                path = ("services", name, "depends", target)
                self.check_policy(path, svc, TEMPLATE in name, pol)
                policy = Policy(pol.timeout, pol.retries, pol.required, pol.fallback)
                for source, region in self.instances(name):
                    if pol.regions is not None and region not in pol.regions:
                        continue
                    for tgt in self.targets(path, target, region):
                        if tgt == source:
                            self.fail(path, "a service cannot depend on itself")
                            continue
                        primary = self.services[tgt].primary
                        self.link(path, Link(source, tgt, primary, policy))

    def check_policy(
        self, path: Path_, svc: ServiceFile, per_region: bool, pol: PolicyFile
    ) -> None:
        if svc.own and pol.fallback is not None:
            self.fail((*path, "fallback"), "a team's own program falls back by its own config")
        elif not svc.own and svc.kind is not None:
            fallbacks = KINDS[svc.kind].fallbacks
            if pol.fallback is not None and pol.fallback not in fallbacks:
                known = ", ".join(fallbacks) or "none"
                self.fail(
                    (*path, "fallback"),
                    f"a {svc.kind} has no fallback '{pol.fallback}' (known: {known})",
                )
        if pol.timeout <= 0:
            self.fail((*path, "timeout"), "must be longer than 0s")
        if pol.regions is None or not self.regions:
            return
        if not per_region:
            self.fail(
                (*path, "regions"),
                f"only a service made per region ({TEMPLATE} in its name) has regions to limit",
            )
        for index, region in enumerate(pol.regions):
            if region not in self.regions:
                self.fail(
                    (*path, "regions", index),
                    f"unknown region '{region}'{_near(region, list(self.regions))}",
                )

    def targets(self, path: Path_, target: str, region: str | None) -> list[str]:
        """The services `target` names, each unknown one reported: `x-{region}` from a
        regional service means its own region's; from anything else, every region's."""
        if TEMPLATE not in target:
            named = [target]
        elif region is not None:
            named = [_expand(target, region)]
        else:
            named = [_expand(target, r) for r in self.regions]
        found = [t for t in named if t in self.services]
        missing = [t for t in named if t not in self.services and t not in self.broken]
        if missing and not found and target not in self.broken and TEMPLATE in target:
            missing = [target]  # say it once, as the file wrote it
        known = list(self.spec.services)
        for name in missing:
            self.fail(path, f"unknown service '{name}'{_near(name, known)}")
        return found

    def link(self, path: Path_, link: Link) -> None:
        if link.name in self.links:
            self.fail(path, f"duplicate link '{link.name}'")
            return
        self.links[link.name] = link
        self.origin[link.name] = path

    def add_clients(self) -> dict[str, tuple[str, ...]]:
        clients: dict[str, tuple[str, ...]] = {}
        for cname, client in self.spec.clients.items():
            path = ("clients", cname)
            self.name(path, cname)
            if cname in self.made_by:
                self.fail(path, f"'{cname}' is already a service")
            names: list[str] = []
            for index, target in enumerate(client.to):
                for tgt in self.targets((*path, "to", index), target, None):
                    service = self.services[tgt]
                    port = client.port or service.primary
                    if port not in service.listeners:
                        have = ", ".join(service.listeners)
                        who = tgt if service.own else f"a {service.kind}"
                        self.fail(
                            (*path, "port"),
                            f"{who} has no listener '{port}' (it has {have})",
                        )
                        continue
                    link = Link(cname, tgt, port, None, client=True)
                    self.link((*path, "to", index), link)
                    names.append(link.name)
            clients[cname] = tuple(names)
        return clients

    def check_templates(self) -> None:
        for name, service in self.services.items():
            if service.program is not None:
                path = ("services", self.made_by[name])
                dials = sorted(n for n, link in self.links.items() if link.source == name)
                own.check_templates(
                    self.fail, path, name, service.region, service.program, service.listeners, dials
                )

    def check_cycles(self) -> None:
        """Dependencies must form a DAG: a cycle would make start-up order and blame
        undefined. The first cycle found is reported where its closing link is written."""
        order: TopologicalSorter[str] = TopologicalSorter()
        depends = [link for link in self.links.values() if not link.client]
        for service in sorted({link.source for link in depends}):
            order.add(service)  # graphlib looks for cycles from its services in this order
        for link in depends:
            order.add(link.target, link.source)  # edge source -> target: cycles read that way
        try:
            order.prepare()
        except CycleError as exc:
            cycle: list[str] = exc.args[1]  # each depends on the next; the last is the first
            closing = self.origin[f"{cycle[-2]}->{cycle[-1]}"]
            self.fail(closing, f"dependency cycle: {' -> '.join(cycle)}")


def build_topology(src: Source) -> Topology:
    """Validate a parsed topology file and expand its templates. Raises InvalidInput."""
    spec = src.validate(TopologyFile)
    b = _Builder(src, spec)
    b.check_regions()
    b.add_services()
    b.add_dependencies()
    clients = b.add_clients()
    b.check_templates()
    b.check_cycles()
    if b.problems:
        raise InvalidInput(sorted(b.problems, key=lambda p: p.line or 0))
    return Topology(spec.name, spec.description, src.file, b.regions, b.services, b.links, clients)


def load_topology(path: Path) -> Topology:
    return build_topology(load_yaml(path))
