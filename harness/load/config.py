"""The load config: what the Locust subprocess runs, built from a scenario and a stack.

The harness writes it as JSON next to the report; `locustfile.py` reads it back (the path comes
in `DC_LOAD_CONFIG`). Each `UserGroup` becomes one Locust user class: one traffic class, one
region, one entry proxy, a fixed number of users sharing the group's rate.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.clock import Marks, interpolate
from harness.errors import InvalidInput, StackError
from harness.load.rates import POISSON_SLACK, users_for
from harness.model.arrivals import Arrivals, Redial
from harness.model.resolve_load import declared_entries
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.model.topology import Topology
from harness.model.traffic import (
    TRAFFIC_CLASSES,
    CustomUser,
    HttpExchange,
    SipExchange,
    TcpExchange,
    TrafficClass,
)

# Written by Locust in its working directory (the report dir) once every user is in place: t = 0
# as Locust chose it (start_gate.py), read by the harness (runner.py).
READY_FILE = "load-ready.json"

EXCHANGES = {"sip": SipExchange, "http": HttpExchange, "tcp": TcpExchange, "user": CustomUser}


@dataclass(frozen=True)
class LoadOptions:
    """Per-operation limits: a dead link fails a request within `timeout`, never hangs a user."""

    timeout: float = 2.0  # seconds for one operation (connect + request + answer)
    hold: float = 0.0  # seconds an answered call stays up before the BYE

    def timeout_of(self, traffic: TrafficClass) -> float:
        """A class's own latency budget, else the run's."""
        return traffic.timeout if traffic.timeout is not None else self.timeout

    def hold_of(self, traffic: TrafficClass) -> float:
        return traffic.hold if traffic.hold is not None else self.hold

    def worst(self, traffic: TrafficClass) -> float:
        """The longest one request of `traffic` can take (the pacing in rates.py relies on it)."""
        timeout = self.timeout_of(traffic)
        if traffic.protocol == "sip":
            return timeout + self.hold_of(traffic) + timeout  # INVITE, hold, BYE
        return timeout


DEFAULT_OPTIONS = LoadOptions()


@dataclass(frozen=True)
class UserGroup:
    """One Locust user class. `rate` None means unpaced: every user goes as fast as it can."""

    name: str  # the Locust class name, a Python identifier
    traffic: str
    region: str | None
    link: str
    host: str
    port: int
    users: int
    rate: float | None
    declared: TrafficClass | None = None  # a class the scenario declares; None: a built-in
    arrivals: str = "paced"  # or "poisson" (harness/model/arrivals.py)
    redial_after: float = 0.0  # wall seconds from a failed call to its redial
    redial_attempts: int = 0
    spill_to_112: float = 0.0  # share of failed callers who then dial 112

    @property
    def redial(self) -> Redial | None:
        return Redial(self.redial_after, self.redial_attempts) if self.redial_attempts else None

    def worst(self, options: LoadOptions) -> float:
        """The longest one arrival keeps a user busy: its request, redials and spill-over."""
        arrivals = Arrivals("paced", self.redial, self.spill_to_112)
        return arrivals.worst(options.worst(self.traffic_class))

    @property
    def traffic_class(self) -> TrafficClass:
        return self.declared or TRAFFIC_CLASSES[self.traffic]

    @property
    def protocol(self) -> str:
        return self.traffic_class.protocol

    @property
    def number(self) -> str | None:
        """The number a caller dials (docs/architecture.md, wire protocols)."""
        number = self.traffic_class.number
        return number.replace("{region}", self.region or "") if number else None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> UserGroup:
        declared = raw.pop("declared", None)
        return cls(**raw, declared=_traffic_class(declared) if declared else None)


def _traffic_class(raw: dict[str, Any]) -> TrafficClass:
    """A declared class back from JSON (lists become the tuples they were)."""
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
    exchange = {k: tuple(v) if isinstance(v, list) else v for k, v in fields["exchange"].items()}
    fields["exchange"] = EXCHANGES[fields["protocol"]](**exchange)
    return TrafficClass(**fields)


@dataclass(frozen=True)
class LoadConfig:
    journal: str  # journal.jsonl every Locust process appends to
    wall_start: float  # unix time of scenario t = 0; no request starts before it
    end: float  # unix time after which no request starts
    marks: Marks  # the clock: (scenario s, wall s since wall_start) pairs, harness/clock.py
    seed: int
    options: LoadOptions = DEFAULT_OPTIONS
    groups: tuple[UserGroup, ...] = field(default_factory=tuple)

    @property
    def users(self) -> int:
        return sum(g.users for g in self.groups)

    @property
    def drain(self) -> float:
        """Seconds after `end` until every request started before `end` has finished."""
        return max((g.worst(self.options) for g in self.groups), default=0.0)

    def scenario_time(self, wall: float) -> float:
        return interpolate(self.marks, wall - self.wall_start, 1)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LoadConfig:
        groups = tuple(UserGroup.from_dict(g) for g in raw.pop("groups"))
        raw["marks"] = tuple((t, w) for t, w in raw.pop("marks"))
        options = LoadOptions(**raw.pop("options"))
        return cls(**raw, options=options, groups=groups)

    def save(self, path: Path) -> None:
        path.write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> LoadConfig:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def class_name(traffic: str, region: str | None) -> str:
    """`callers-112` in `oost-brabant` -> `callers_112__oost_brabant` (a Locust class name)."""
    text = traffic if region is None else f"{traffic}__{region}"
    name = re.sub(r"\W", "_", text)
    return name if name.isidentifier() else f"_{name}"  # a declared class may start with a digit


def entries(topology: Topology, traffic: str | TrafficClass) -> list[tuple[str, str | None]]:
    """(link, region) pairs a traffic class spreads its users over, evenly."""
    traffic_class = TRAFFIC_CLASSES[traffic] if isinstance(traffic, str) else traffic
    if traffic_class.exchange is not None:
        found, problems = declared_entries(topology, traffic_class.client, traffic_class.regions)
        if problems:
            _, message = problems[0]
            raise InvalidInput(f"traffic {traffic_class.name}: {message}")
        return found
    client = traffic_class.client
    links = topology.clients.get(client)
    if not links:
        raise InvalidInput(
            f"traffic {traffic_class.name} enters through client '{client}', which topology "
            f"{topology.name} does not define"
        )
    pairs: list[tuple[str, str | None]] = []
    for link in links:
        target_region = topology.services[topology.links[link].target].region
        if target_region is not None:
            pairs.append((link, target_region))  # e.g. dispatchers->meldkamer-rotterdam
        elif traffic_class.regional:  # e.g. callers->telephony, once per caller region
            pairs += [(link, region) for region in topology.regions]
        else:
            pairs.append((link, None))
    return pairs


def planned_regions(scenario: Scenario) -> dict[str, list[str]]:
    """The regions each loaded traffic class has users in (the run-start journals them). A
    class the topology cannot place is left out: building the load reports it."""
    planned: dict[str, list[str]] = {}
    for load in scenario.load:
        if load.rate > 0:
            try:
                pairs = entries(scenario.topology, load.traffic_class)
            except InvalidInput:
                continue
            regions = sorted({region for _, region in pairs if region is not None})
            if regions:
                planned[load.traffic] = regions
    return planned


def build_load_config(
    scenario: Scenario,
    stack: StackInfo,
    journal: Path,
    wall_start: float,
    duration: float,
    options: LoadOptions = DEFAULT_OPTIONS,
) -> LoadConfig:
    """Groups for every traffic class of the scenario with a positive rate."""
    groups: list[UserGroup] = []
    for load in scenario.load:
        if load.rate <= 0:
            continue
        traffic = load.traffic_class
        pairs = entries(scenario.topology, traffic)
        rate = load.rate / len(pairs)
        arrivals = load.arrivals
        worst = arrivals.worst(options.worst(traffic))
        if arrivals.model == "poisson":  # random gaps: more users, fewer arrivals held back
            worst *= POISSON_SLACK
        for link, region in pairs:
            if link not in stack.proxies:
                raise StackError(f"the stack has no proxy for link {link}")
            entry = stack.entry(link)
            groups.append(
                UserGroup(
                    name=class_name(load.traffic, region),
                    traffic=load.traffic,
                    region=region,
                    link=link,
                    host=entry.host,
                    port=entry.port,
                    users=users_for(rate, worst),
                    rate=rate,
                    declared=load.declared,
                    arrivals=arrivals.model,
                    redial_after=arrivals.redial.after if arrivals.redial else 0.0,
                    redial_attempts=arrivals.redial.attempts if arrivals.redial else 0,
                    spill_to_112=arrivals.spill_to_112,
                )
            )
    _unique_names(groups)
    return LoadConfig(
        journal=str(journal),
        wall_start=wall_start,
        end=wall_start + duration,
        marks=scenario.clock.marks,
        seed=scenario.seed,
        options=options,
        groups=tuple(groups),
    )


def _unique_names(groups: list[UserGroup]) -> None:
    """Two entries of one class in one region (several telephony links) get numbered names."""
    seen: dict[str, int] = {}
    for i, group in enumerate(groups):
        count = seen.get(group.name, 0)
        seen[group.name] = count + 1
        if count:
            groups[i] = replace(group, name=f"{group.name}_{count + 1}")
