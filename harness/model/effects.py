"""Effects: the concrete, comparable units of desired fault state.

The schedule says which effects should be active at scenario time t; the reconciler diffs that
set against what the drivers have applied. Effects are frozen and hashable so the diff is plain
set arithmetic. `fault` names the scenario fault an effect comes from (for the journal).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOXIC_PREFIX = "dc."  # every toxic this harness creates is named dc.<fault>; cleanup relies on it


@dataclass(frozen=True)
class Toxic:
    """A Toxiproxy toxic on one link's proxy."""

    fault: str
    link: str
    type: str
    stream: str = "downstream"
    toxicity: float = 1.0
    attributes: tuple[tuple[str, int], ...] = ()

    @property
    def toxic_name(self) -> str:
        return f"{TOXIC_PREFIX}{self.fault}"

    @property
    def key(self) -> tuple[str, str]:
        """Two Toxic effects with the same key are one toxic whose attributes changed (ramps)."""
        return (self.link, self.toxic_name)

    @property
    def target(self) -> str:
        return self.link

    def label(self) -> str:
        attrs = " ".join(f"{k}={v}" for k, v in self.attributes)
        return f"{self.type} {self.link} {self.stream} {attrs}".rstrip()


@dataclass(frozen=True)
class LinkDown:
    """The link's proxy disabled: connections refused. Down while any LinkDown for it is on."""

    fault: str
    link: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.link, f"down:{self.fault}")

    @property
    def target(self) -> str:
        return self.link

    def label(self) -> str:
        return f"down {self.link}"


@dataclass(frozen=True)
class ProcessFault:
    """pause (SIGSTOP until removed), kill (down until removed, then started again) or
    restart (killed and started once; `epoch` tells successive restarts apart).
    `container` selects the Docker driver instead of local processes."""

    fault: str
    service: str
    action: str
    epoch: int = 0
    container: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, f"{self.action}:{self.fault}:{self.epoch}")

    @property
    def target(self) -> str:
        return self.service

    def label(self) -> str:
        return f"{'container' if self.container else 'process'} {self.action} {self.service}"


@dataclass(frozen=True)
class AppFault:
    """An application-level fault set through a mock's control API."""

    fault: str
    service: str
    spec: tuple[tuple[str, Any], ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.service, f"app:{self.fault}")

    @property
    def target(self) -> str:
        return self.service

    @property
    def fault_id(self) -> str:
        return f"{TOXIC_PREFIX}{self.fault}"

    def label(self) -> str:
        return "app " + " ".join(f"{k}={v}" for k, v in self.spec) + f" {self.service}"


Effect = Toxic | LinkDown | ProcessFault | AppFault
