"""The scenario as the harness uses it: frozen values resolved against the topology.

Times are seconds of scenario time since `clock.start`, targets are concrete link and service
names, attributes are in Toxiproxy's units. resolve.py builds these from the scenario file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from harness.clock import Clock as Clock  # re-exported: the scenario's clock
from harness.clock import Focus
from harness.model.arrivals import PACED, Arrivals
from harness.model.topology import Topology
from harness.model.traffic import TRAFFIC_CLASSES, TrafficClass


@dataclass(frozen=True)
class Spacing:
    """A max_scenario_gap window: its arrivals (per wall second) must come close enough in
    scenario time for its threshold to be judged (floor.py)."""

    start: float
    end: float
    rate: float
    threshold: float  # scenario seconds
    why: str
    line: int | None = None


@dataclass(frozen=True)
class Window:
    start: float
    end: float

    def contains(self, t: float) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True)
class ToxicAction:
    toxic: str  # a Toxiproxy type, or "down"
    attributes: tuple[tuple[str, int], ...] = ()
    stream: str = "downstream"
    toxicity: float = 1.0


@dataclass(frozen=True)
class ProcessAction:
    action: str  # pause | kill | restart
    container: bool = False  # True: through Docker (compose backend); False: local processes


@dataclass(frozen=True)
class AppAction:
    spec: tuple[tuple[str, Any], ...]  # e.g. (("mode", "sip"), ("status", 503), ("scope", "112"))


Action = ToxicAction | ProcessAction | AppAction


@dataclass(frozen=True)
class Steady:
    pass


@dataclass(frozen=True)
class Flap:
    up: tuple[float, float]
    down: tuple[float, float]
    first: str = "up"
    independent: bool = False


@dataclass(frozen=True)
class Ramp:
    attribute: str
    start: float
    to: float
    steps: int


Pattern = Steady | Flap | Ramp


@dataclass(frozen=True)
class Fault:
    name: str
    action: Action
    window: Window
    pattern: Pattern
    links: tuple[str, ...] = ()  # for toxic actions
    services: tuple[str, ...] = ()  # for process, container and app actions
    source: str | None = None
    assumption: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Check:
    """One assertion or halt condition, ready to evaluate against a journal."""

    name: str
    metric: str
    op: str
    threshold: float  # seconds for time metrics, a ratio or count otherwise
    traffic: str | None = None
    per: str | None = None
    region: str | None = None
    window: Window | None = None  # assertions: a window of scenario time
    percentile: float | None = None
    via: str | None = None
    answered_by: str | None = None  # answered_by_ratio: own | backup
    halt_window: float | None = None  # halts: sliding window in wall seconds
    min_requests: int = 1
    shows: tuple[str, ...] = ()  # fidelity: the faults whose damage it shows (it fails without)
    source: str | None = None
    assumption: str | None = None

    def holds(self, observed: float) -> bool:
        return {
            ">=": observed >= self.threshold,
            "<=": observed <= self.threshold,
            "==": abs(observed - self.threshold) < 1e-9,
            "<": observed < self.threshold,
            ">": observed > self.threshold,
        }[self.op]


@dataclass(frozen=True)
class TrafficLoad:
    traffic: str
    rate: float  # arrivals per wall second
    declared: TrafficClass | None = None  # a class the scenario declares; None: a built-in
    arrivals: Arrivals = PACED  # paced unless the scenario says poisson (arrivals.py)

    @property
    def traffic_class(self) -> TrafficClass:
        return self.declared or TRAFFIC_CLASSES[self.traffic]


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    file: str
    topology: Topology
    clock: Clock
    seed: int
    load: tuple[TrafficLoad, ...] = ()
    faults: tuple[Fault, ...] = ()
    assertions: tuple[Check, ...] = ()
    halts: tuple[Check, ...] = ()
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    max_drift: float | None = None  # wall seconds faults may be missing in all; None: no bound
    floor: tuple[Focus, ...] = ()  # the wall seconds each assertion window needs (floor.py)
    spacing: tuple[Spacing, ...] = ()  # what each max_scenario_gap threshold needs (floor.py)
    min_samples: int = 20
    design: Topology | None = None  # the topology as designed (blast.py); None: `topology`

    @property
    def traffic_classes(self) -> dict[str, TrafficClass]:
        """Every class an assertion may name: the built-ins and those the scenario declares."""
        declared = {load.traffic: load.declared for load in self.load if load.declared}
        return {**TRAFFIC_CLASSES, **declared}

    def with_overrides(self, duration: float | None = None, seed: int | None = None) -> Scenario:
        clock = self.clock.with_replay(duration) if duration is not None else self.clock
        return replace(self, clock=clock, seed=self.seed if seed is None else seed)
