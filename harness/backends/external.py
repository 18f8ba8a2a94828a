"""The external backend: a team's own stack behind the team's own Toxiproxy, described in a
stack file (harness/model/external_stack.py; docs/backends.md).

The harness never starts or stops the team's services. Connecting to the stack (`describe`)
checks the stack file against the team's Toxiproxy and creates the proxies the file asks the
harness for, named prefix + link; they stay between runs (the team's services are wired to
them) until `harness down` or `harness cleanup` deletes them. The team's own proxies are only
ever disabled for a `down` fault and carry only the harness's own dc.* toxics besides theirs.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import replace
from pathlib import Path

from harness.backends import probes
from harness.backends.drivers import link_and_app_drivers
from harness.backends.evidence import Evidence, MockEvidence
from harness.backends.protocol import Site
from harness.errors import InvalidInput, StackError, ToxiproxyError
from harness.faults.cleanup import cleanup
from harness.faults.driver import Driver
from harness.model.external_stack import ExternalStack, load_external_stack
from harness.model.stack import Endpoint, ProxyInfo, StackInfo
from harness.paths import stack_file
from harness.toxiproxy.client import ProxyState, ToxiproxyClient

HEALTH_WAIT = 5.0  # seconds the team's services get to pass their health checks
# How a team's proxy may say "every interface" in its listen address. The harness never
# listens on these itself (its own proxies take the address the stack file gives); it only
# recognises them, to find a collision and to reach such a proxy on the Toxiproxy host.
WILDCARDS = ("0.0.0.0", "::", "[::]", "")


class ExternalBackend:
    name = "external"
    starts_stacks = False
    side_by_side = False

    def __init__(self, description: Path | None, state_dir: Path, topology: Path) -> None:
        self.description = description
        self.state_dir = state_dir
        self.topology = topology  # the scenario's: the stack must be built from the same

    @classmethod
    def at(cls, site: Site) -> ExternalBackend:
        return cls(site.description, site.state_dir, site.topology)

    def up(self, *, detach: bool = False, timeout: float = 30.0) -> StackInfo:
        raise InvalidInput(f"backend {self.name} cannot be started by the harness")

    def down(self) -> None:
        """Take the harness's faults and proxies off the team's Toxiproxy and forget the stack
        (the team's services are not ours to stop)."""
        report = cleanup(self.state_dir, proxies=True)
        if not report.ok:
            raise StackError(f"could not remove the harness's proxies and faults:\n{report}")
        stack_file(self.state_dir).unlink(missing_ok=True)

    def describe(self) -> StackInfo:
        """Connect to the stack the file describes: check it against the team's Toxiproxy, put
        the harness's proxies in place, wait until every service passes its health check."""
        if self.description is None:
            raise InvalidInput("--backend external needs --stack FILE (a stack file, YAML)")
        if self.description.suffix == ".json":
            return self._described_in_json(self.description)
        stack = load_external_stack(self.description)
        scenario_topology = self.topology.resolve()
        if Path(stack.topology.file).resolve() != scenario_topology:
            raise InvalidInput(
                f"{self.description}: the stack is built from {stack.topology.file}, "
                f"the scenario from {scenario_topology}"
            )
        info = connect(stack)
        info.save(stack_file(self.state_dir))
        wait_healthy(info, HEALTH_WAIT)
        return info

    def _described_in_json(self, path: Path) -> StackInfo:
        """The former format, StackInfo's JSON: every proxy in it is the team's."""
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            raw.setdefault("backend", self.name)
            info = StackInfo.from_dict(raw)
        except FileNotFoundError:
            raise InvalidInput(f"{path}: no such stack file") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput(f"{path}: not a stack description ({exc})") from None
        proxies = {k: replace(p, team=True) for k, p in info.proxies.items()}
        return replace(info, proxies=proxies)

    def drivers(self, stack: StackInfo) -> list[Driver]:
        return link_and_app_drivers(stack)

    def evidence(self, stack: StackInfo) -> Evidence:
        return MockEvidence(stack)


def conflicts(stack: ExternalStack, live: dict[str, ProxyState]) -> list[str]:
    """What stops the harness from using the team's Toxiproxy as `stack` says: a team proxy
    that is not there, a proxy to create whose name or address another proxy has."""
    found = []
    api = stack.toxiproxy
    for link in stack.links.values():
        if link.team:
            if link.name not in live:
                found.append(f"link {link.link}: the team's proxy '{link.name}' is not in {api}")
            continue
        same = live.get(link.name)
        if same is not None and (same.listen, same.upstream) != (link.listen, link.upstream):
            found.append(
                f"link {link.link}: proxy '{link.name}' exists in {api} (listen {same.listen}, "
                f"upstream {same.upstream}) and is not the harness's: choose another "
                "proxies.prefix"
            )
        elif same is None and (taken := _listening(live, link.listen or "")) is not None:
            found.append(
                f"link {link.link}: {link.listen} is taken by proxy '{taken}' in {api}: "
                "choose another listen address"
            )
    return found


def _listening(live: dict[str, ProxyState], address: str) -> str | None:
    """The proxy that listens on `address` already (a wildcard host listens on every one)."""
    wanted = Endpoint.parse(address)
    for proxy in live.values():
        have = Endpoint.parse(proxy.listen)
        if have.port == wanted.port and (have.host == wanted.host or have.host in WILDCARDS):
            return proxy.name
    return None


def connect(stack: ExternalStack) -> StackInfo:
    """Create the harness's missing proxies (after checking nothing conflicts) and describe
    the stack; StackError (exit 3) names every conflict."""
    client = ToxiproxyClient(stack.toxiproxy, timeout=2.0)
    try:
        live = client.proxies()
        problems = conflicts(stack, live)
        if problems:
            raise StackError(f"{stack.file}: " + f"\n{stack.file}: ".join(problems))
        _create(client, stack, live)
    finally:
        client.close()
    return StackInfo(
        backend="external",
        topology=str(Path(stack.topology.file).resolve()),
        toxiproxy=stack.toxiproxy,
        services=stack.services,
        proxies={n: _proxy_info(stack, live[p.name], p.team) for n, p in stack.links.items()},
        extra={"description": str(Path(stack.file).resolve()), "proxy_prefix": stack.prefix},
    )


def _create(client: ToxiproxyClient, stack: ExternalStack, live: dict[str, ProxyState]) -> None:
    """The harness's proxies that are missing; all or none (a failure deletes those made)."""
    made: list[str] = []
    try:
        for link in stack.links.values():
            if not link.team and link.name not in live:
                assert link.listen is not None and link.upstream is not None
                live[link.name] = client.create_proxy(link.name, link.listen, link.upstream)
                made.append(link.name)
    except ToxiproxyError:
        for name in made:
            with contextlib.suppress(ToxiproxyError):
                client.delete_proxy(name)
        raise


def _proxy_info(stack: ExternalStack, proxy: ProxyState, team: bool) -> ProxyInfo:
    """Where the harness reaches a proxy: a wildcard listener on the Toxiproxy host."""
    listen = Endpoint.parse(proxy.listen)
    host = Endpoint.parse(stack.toxiproxy).host if listen.host in WILDCARDS else listen.host
    return ProxyInfo(proxy.name, proxy.listen, proxy.upstream, f"{host}:{listen.port}", team)


def wait_healthy(info: StackInfo, timeout: float) -> None:
    """Every service passes its health check within `timeout`; StackError names the rest."""
    deadline = time.monotonic() + timeout
    while True:
        health = probes.healthy(info.services, timeout=1.0)
        failing = sorted(name for name, ok in health.items() if not ok)
        if not failing:
            return
        if time.monotonic() > deadline:
            checks = (f"{n} ({info.services[n].health} on {_endpoint(info, n)})" for n in failing)
            raise StackError(f"not healthy after {timeout:g}s: {', '.join(checks)}")
        time.sleep(0.2)


def _endpoint(info: StackInfo, service: str) -> Endpoint:
    return probes.check_of(info.services[service])[1]
