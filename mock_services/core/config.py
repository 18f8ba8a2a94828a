"""The configuration every mock service starts from (`--config FILE`, JSON).

The harness writes it (harness/backends/wiring.py); a person can write one by hand. Without a
config a service starts alone with defaults: its kind's listeners on 127.0.0.1, ephemeral ports,
no dependencies. Every dependency address is the link's proxy, never the service itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Listen:
    host: str = "127.0.0.1"
    port: int = 0
    fd: int | None = None  # an already-bound listening socket inherited from the supervisor


@dataclass(frozen=True)
class Dependency:
    """One outgoing link, with the topology's policy for it."""

    service: str  # target service name, e.g. "gms"
    kind: str
    link: str  # "<self>-><service>"
    host: str
    port: int
    region: str | None = None
    timeout: float = 1.0
    retries: int = 0
    required: bool = True
    fallback: str | None = None


@dataclass(frozen=True)
class ServiceConfig:
    name: str
    kind: str
    region: str | None = None
    listen: dict[str, Listen] = field(default_factory=dict)
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    regions: dict[str, str | None] = field(default_factory=dict)  # region -> backup region
    data_dir: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)

    def by_kind(self, kind: str) -> list[Dependency]:
        return [d for d in self.dependencies.values() if d.kind == kind]

    def dependency(self, kind: str, region: str | None = None) -> Dependency | None:
        return next((d for d in self.by_kind(kind) if region is None or d.region == region), None)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> ServiceConfig:
        return cls(
            name=raw["name"],
            kind=raw["kind"],
            region=raw.get("region"),
            listen={k: Listen(**v) for k, v in raw.get("listen", {}).items()},
            dependencies={k: Dependency(**v) for k, v in raw.get("dependencies", {}).items()},
            regions=dict(raw.get("regions", {})),
            data_dir=raw.get("data_dir"),
            settings=dict(raw.get("settings", {})),
        )

    @classmethod
    def load(cls, path: Path) -> ServiceConfig:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
