"""What a running stack looks like to the rest of the harness, whatever backend started it.

A backend (local processes, docker compose, or an external stack described by the user) yields
a StackInfo: the Toxiproxy API, every service's endpoints and every link's proxy. It is saved as
`.harness/stack.json` while a stack is up, so `harness run`, `status`, `cleanup` and `down`
in another process find it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.model.kinds import KINDS


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def parse(cls, text: str) -> Endpoint:
        host, _, port = text.rpartition(":")
        return cls(host or "127.0.0.1", int(port))


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    kind: str
    region: str | None
    endpoints: dict[str, str]  # listener -> host:port reachable from the harness
    pid: int | None = None
    container: str | None = None
    health: str | None = None  # `tcp`, `http GET /path`, `sip OPTIONS`; None: a mock's GET /health
    offers: tuple[str, ...] | None = None  # the evidence it answers; None: its mock kind's

    @property
    def evidence(self) -> frozenset[str]:
        if self.offers is not None:
            return frozenset(self.offers)
        kind = KINDS.get(self.kind)
        return frozenset(kind.offers) if kind is not None else frozenset()

    def endpoint(self, listener: str) -> Endpoint:
        return Endpoint.parse(self.endpoints[listener])


@dataclass(frozen=True)
class ProxyInfo:
    """One link's proxy as Toxiproxy knows it; `reach` is where the harness connects to it."""

    name: str
    listen: str
    upstream: str
    reach: str | None = None
    team: bool = False  # external: the team's own proxy, never created, replaced or deleted

    def entry(self) -> Endpoint:
        return Endpoint.parse(self.reach or self.listen)


@dataclass(frozen=True)
class StackInfo:
    backend: str  # local | compose | external
    topology: str  # path of the topology file the stack was built from
    toxiproxy: str  # host:port of the Toxiproxy API
    services: dict[str, ServiceInfo]
    proxies: dict[str, ProxyInfo]
    supervisor_pid: int | None = None
    control: str | None = None  # local backend: the supervisor's control socket
    project: str | None = None  # compose backend: the compose project name
    data_dir: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def toxiproxy_endpoint(self) -> Endpoint:
        return Endpoint.parse(self.toxiproxy)

    def entry(self, link: str) -> Endpoint:
        """Where a load generator connects to reach `link` (a client link's proxy)."""
        return self.proxies[link].entry()

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> StackInfo:
        services = {
            k: ServiceInfo(**{**v, "offers": _tuple(v.get("offers"))})
            for k, v in raw.pop("services").items()
        }
        proxies = {k: ProxyInfo(**v) for k, v in raw.pop("proxies").items()}
        return cls(services=services, proxies=proxies, **raw)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> StackInfo:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def _tuple(items: list[str] | None) -> tuple[str, ...] | None:
    return tuple(items) if items is not None else None  # JSON has lists, the record tuples
