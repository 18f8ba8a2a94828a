"""The scenario: what a run replays and what it must prove.

Two layers: `*File` pydantic models mirror the YAML (version 1, documented in
docs/scenarios.md) and reject unknown keys; `build_scenario` resolves them against the
topology into frozen runtime objects whose times are seconds of scenario time since
`clock.start`, targets are concrete link and service names, and attributes are Toxiproxy's units.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from harness.errors import InvalidInput, Problem
from harness.model.duration import Duration, parse_duration
from harness.model.source import AtKey, Source, load_yaml
from harness.model.topology import Topology, load_topology
from harness.model.toxics import STREAMS, TOXICS

# Traffic classes the load generators know, and the topology client each one enters through.
TRAFFIC: dict[str, str] = {
    "callers-112": "callers",
    "callers-0900": "callers",
    "callers-088": "callers",
    "callers-alternate": "callers",  # dial a meldkamer's own number, bypassing 112 routing
    "radio-units": "radio-units",
    "office-users": "office-users",
    "dispatchers": "dispatchers",
}
METRICS = ("success_ratio", "latency", "max_gap", "incidents_reconciled", "via_ratio", "requests")
TIME_METRICS = ("latency", "max_gap")
OPS = (">=", "<=", "==", "<", ">")
PROCESS_ACTIONS = ("pause", "kill", "restart")
APP_MODES = ("sip", "http", "slow", "garbage", "drop")


def _rate(value: object) -> float:
    """`20/s`, `120/m` or a bare number of arrivals per (wall) second."""
    if isinstance(value, bool):
        raise ValueError(f"bad rate {value!r}")
    if isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str) and (
        m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h)\s*", value)
    ):
        rate = float(m[1]) / {"s": 1, "m": 60, "h": 3600}[m[2]]
    else:
        raise ValueError(f"bad rate {value!r}: write it like 20/s")
    if not 0 <= rate <= 10_000:
        raise ValueError(f"rate {value!r} out of range (0 to 10000/s)")
    return rate


Rate = Annotated[float, BeforeValidator(_rate)]


def _time_point(value: object) -> datetime | float:
    """An absolute scenario time (ISO 8601) or an offset from the clock's start (`+90m`)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("+"):
            return parse_duration(text[1:])
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            raise ValueError(f"bad time {value!r}: use 2020-09-17T11:30 or +90m") from None
    raise ValueError(f"bad time {value!r}: use 2020-09-17T11:30 or +90m")


TimePoint = Annotated[datetime | float, BeforeValidator(_time_point)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ClockFile(_Strict):
    start: TimePoint
    end: TimePoint
    replay: Duration


class WindowFile(_Strict):
    start: TimePoint | None = Field(None, alias="from")
    until: TimePoint | None = None


class TargetFile(_Strict):
    link: str | None = None
    links: str | list[str] | None = None
    service: str | None = None
    services: str | list[str] | None = None
    region: str | None = None

    @model_validator(mode="after")
    def _one(self) -> TargetFile:
        given = [k for k in ("link", "links", "service", "services", "region") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("give exactly one of link, links, service, services, region")
        return self


class ActionFile(BaseModel):
    """Exactly one of toxic / process / container / app; toxic attributes sit beside `toxic`."""

    model_config = ConfigDict(extra="allow", frozen=True)
    toxic: str | None = None
    process: str | None = None
    container: str | None = None
    app: str | dict[str, Any] | None = None
    stream: str = "downstream"
    toxicity: float = Field(1.0, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _check(self) -> ActionFile:
        kinds = [
            k for k in ("toxic", "process", "container", "app") if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError("give exactly one of toxic, process, container, app")
        extra = dict(self.model_extra or {})
        if self.toxic is not None:
            toxic = TOXICS.get(self.toxic)
            if toxic is None:
                raise AtKey("toxic", f"unknown toxic '{self.toxic}' (known: {', '.join(TOXICS)})")
            if self.stream not in STREAMS:
                raise AtKey("stream", f"stream must be upstream or downstream, not '{self.stream}'")
            for key, value in extra.items():
                attr = toxic.attribute(key)
                if attr is None:
                    known = ", ".join(a.name for a in toxic.attributes) or "none"
                    raise AtKey(
                        key, f"toxic {self.toxic} has no attribute '{key}' (it has: {known})"
                    )
                try:
                    attr.to_native(value)
                except ValueError as exc:
                    raise AtKey(key, str(exc)) from None
            return self
        for key in [*extra, "stream", "toxicity"]:
            if key in extra or key in self.model_fields_set:
                raise AtKey(key, f"'{key}' is for toxic actions, not for a {kinds[0]} action")
        for key in ("process", "container"):
            value = getattr(self, key)
            if value is not None and value not in PROCESS_ACTIONS:
                raise AtKey(key, f"{key} action must be one of {', '.join(PROCESS_ACTIONS)}")
        if self.app is not None:
            try:
                _app_fault(self.app)
            except ValueError as exc:
                raise AtKey("app", str(exc)) from None
        return self


def _app_fault(value: str | dict[str, Any]) -> dict[str, Any]:
    """`garbage`, `drop`, {sip: 503}, {http: 500}, {slow: 2s}, each with an optional scope."""
    spec = {value: True} if isinstance(value, str) else dict(value)
    scope = spec.pop("scope", None)
    modes = [k for k in spec if k in APP_MODES]
    unknown = [k for k in spec if k not in APP_MODES]
    if unknown:
        raise ValueError(f"unknown app fault '{unknown[0]}' (known: {', '.join(APP_MODES)}, scope)")
    if len(modes) != 1:
        raise ValueError("an app fault names exactly one of " + ", ".join(APP_MODES))
    mode = modes[0]
    out: dict[str, Any] = {"mode": mode}
    if mode in ("sip", "http"):
        status = spec[mode]
        low, high = (400, 699) if mode == "sip" else (400, 599)
        if not isinstance(status, int) or isinstance(status, bool) or not low <= status <= high:
            raise ValueError(f"app {mode} status must be a number from {low} to {high}")
        out["status"] = status
    elif mode == "slow":
        out["delay"] = parse_duration(spec[mode])
    if scope is not None:
        out["scope"] = str(scope)
    return out


class FlapFile(_Strict):
    up: tuple[Duration, Duration]
    down: tuple[Duration, Duration]
    first: Literal["up", "down"] = "up"
    independent: bool = False  # each target flaps on its own stream of random numbers


class RampFile(_Strict):
    attribute: str
    start: float = Field(alias="from")
    to: float
    steps: int = Field(5, ge=1, le=1000)


class PatternFile(_Strict):
    flap: FlapFile | None = None
    ramp: RampFile | None = None


class FaultFile(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    source: str | None = None
    assumption: str | None = None
    target: TargetFile
    action: ActionFile
    when: WindowFile = WindowFile()
    pattern: Literal["steady"] | PatternFile = "steady"


class CheckFile(BaseModel):
    """An assertion or halt condition: `metric`, a selection, and one comparison key."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str | None = None
    metric: Literal[
        "success_ratio", "latency", "max_gap", "incidents_reconciled", "via_ratio", "requests"
    ]
    traffic: str | None = None
    per: Literal["region"] | None = None
    region: str | None = None
    during: WindowFile | None = None
    percentile: float | None = Field(None, gt=0, le=100)
    via: str | None = None
    window: Duration | None = None  # halt conditions: the sliding wall-clock window
    min_requests: int = Field(1, ge=0)
    source: str | None = None
    ge: float | str | None = Field(None, alias=">=")
    le: float | str | None = Field(None, alias="<=")
    eq: float | str | None = Field(None, alias="==")
    lt: float | str | None = Field(None, alias="<")
    gt: float | str | None = Field(None, alias=">")

    @model_validator(mode="after")
    def _one_comparison(self) -> CheckFile:
        given = [
            op
            for op, key in zip(OPS, ("ge", "le", "eq", "lt", "gt"), strict=True)
            if getattr(self, key) is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one comparison: >=, <=, ==, < or >")
        return self


class ScenarioFile(_Strict):
    version: Literal[1]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    topology: str = "topologies/meldkamer-nl.yaml"
    clock: ClockFile
    seed: int = 0
    load: dict[str, Rate] = Field(default_factory=dict)
    faults: list[FaultFile] = Field(default_factory=list)
    assertions: list[CheckFile] = Field(default_factory=list)
    halt: list[CheckFile] = Field(default_factory=list)
    max_drift: Duration | None = Field(
        default=None,
        description="Longest time (wall clock, in all) applied faults may be found missing "
        "and healed during the run; more is an infrastructure error (exit 3). Unset: drift "
        "is reported only.",
    )


# ---- runtime objects -------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Scenario time (seconds since `start`) compressed into `replay` seconds of wall time."""

    start: datetime
    end: datetime
    replay: float

    @property
    def span(self) -> float:
        return (self.end - self.start).total_seconds()

    @property
    def factor(self) -> float:
        return self.span / self.replay

    def to_wall(self, t: float) -> float:
        return t / self.factor

    def to_scenario(self, wall_offset: float) -> float:
        return wall_offset * self.factor

    def at(self, t: float) -> datetime:
        return self.start + timedelta(seconds=t)

    def with_replay(self, replay: float) -> Clock:
        return Clock(self.start, self.end, replay)


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
    halt_window: float | None = None  # halts: sliding window in wall seconds
    min_requests: int = 1
    source: str | None = None

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

    def with_overrides(self, duration: float | None = None, seed: int | None = None) -> Scenario:
        from dataclasses import replace

        clock = self.clock.with_replay(duration) if duration is not None else self.clock
        return replace(self, clock=clock, seed=self.seed if seed is None else seed)


# ---- resolution ------------------------------------------------------------------------------


class _Resolver:
    def __init__(self, src: Source, spec: ScenarioFile, topology: Topology, clock: Clock) -> None:
        self.src, self.spec, self.topology, self.clock = src, spec, topology, clock
        self.problems: list[Problem] = []

    def fail(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(_problem(self.src, path, message))

    def offset(self, point: datetime | float, path: tuple[str | int, ...]) -> float:
        t = point if isinstance(point, float) else (point - self.clock.start).total_seconds()
        if not 0 <= t <= self.clock.span:
            self.fail(
                path, f"time {point} is outside the clock ({self.clock.start} to {self.clock.end})"
            )
        return t

    def window(self, w: WindowFile | None, path: tuple[str | int, ...]) -> Window:
        if w is None:
            return Window(0.0, self.clock.span)
        start = self.offset(w.start, (*path, "from")) if w.start is not None else 0.0
        end = self.offset(w.until, (*path, "until")) if w.until is not None else self.clock.span
        if end <= start:
            self.fail(path, "the window ends before it starts")
        return Window(start, end)

    def _globs(self, value: str | list[str]) -> list[str]:
        return [value] if isinstance(value, str) else list(value)

    def links(self, t: TargetFile, path: tuple[str | int, ...]) -> tuple[str, ...]:
        links = self.topology.links
        if t.link is not None:
            if t.link not in links:
                self.fail((*path, "link"), f"unknown link '{t.link}'" + _near(t.link, links))
                return ()
            return (t.link,)
        if t.links is not None:
            found: list[str] = []
            for glob in self._globs(t.links):
                hits = sorted(n for n in links if fnmatch.fnmatchcase(n, glob))
                if not hits:
                    self.fail((*path, "links"), f"no link matches '{glob}'")
                found += [h for h in hits if h not in found]
            return tuple(found)
        services = self.services(t, path)
        return tuple(sorted(n for n, link in links.items() if link.target in services))

    def services(self, t: TargetFile, path: tuple[str | int, ...]) -> tuple[str, ...]:
        names = self.topology.services
        if t.service is not None:
            if t.service not in names:
                self.fail(
                    (*path, "service"), f"unknown service '{t.service}'" + _near(t.service, names)
                )
                return ()
            return (t.service,)
        if t.services is not None:
            found: list[str] = []
            for glob in self._globs(t.services):
                hits = sorted(n for n in names if fnmatch.fnmatchcase(n, glob))
                if not hits:
                    self.fail((*path, "services"), f"no service matches '{glob}'")
                found += [h for h in hits if h not in found]
            return tuple(found)
        if t.region is not None:
            if t.region not in self.topology.regions:
                self.fail((*path, "region"), f"unknown region '{t.region}'")
                return ()
            return tuple(s.name for s in self.topology.services_in(t.region))
        self.fail(path, "a process, container or app fault targets services, not links")
        return ()

    def fault(self, f: FaultFile, i: int) -> Fault | None:
        path: tuple[str | int, ...] = ("faults", i)
        a = f.action
        action: Action
        links: tuple[str, ...] = ()
        services: tuple[str, ...] = ()
        if a.toxic is not None:
            toxic = TOXICS[a.toxic]
            attrs = {x.name: x.default for x in toxic.attributes if x.default is not None}
            for key, value in (a.model_extra or {}).items():
                attr = toxic.attribute(key)
                assert attr is not None  # checked by ActionFile
                attrs[key] = attr.to_native(value)
            action = ToxicAction(a.toxic, tuple(sorted(attrs.items())), a.stream, a.toxicity)
            links = self.links(f.target, (*path, "target"))
        elif a.app is not None:
            action = AppAction(tuple(sorted(_app_fault(a.app).items())))
            services = self.services(f.target, (*path, "target"))
        else:
            verb = a.process if a.process is not None else a.container
            assert verb is not None
            action = ProcessAction(verb, container=a.container is not None)
            services = self.services(f.target, (*path, "target"))
        pattern: Pattern = Steady()
        if isinstance(f.pattern, PatternFile):
            p = f.pattern
            if (p.flap is None) == (p.ramp is None):
                self.fail((*path, "pattern"), "a pattern is steady, {flap: ...} or {ramp: ...}")
            elif p.flap is not None:
                for key, (low, high) in (("up", p.flap.up), ("down", p.flap.down)):
                    if low > high or low <= 0:
                        self.fail(
                            (*path, "pattern", "flap", key),
                            "must be [min, max] with 0 < min <= max",
                        )
                pattern = Flap(p.flap.up, p.flap.down, p.flap.first, p.flap.independent)
            elif p.ramp is not None:
                if (
                    not isinstance(action, ToxicAction)
                    or TOXICS[action.toxic].attribute(p.ramp.attribute) is None
                ):
                    self.fail(
                        (*path, "pattern", "ramp", "attribute"),
                        f"a ramp needs a toxic with attribute '{p.ramp.attribute}'",
                    )
                for key, value in (("from", p.ramp.start), ("to", p.ramp.to)):
                    if not (math.isfinite(value) and value >= 0):
                        self.fail(
                            (*path, "pattern", "ramp", key),
                            f"must be a non-negative number, got {value:g}",
                        )
                pattern = Ramp(p.ramp.attribute, p.ramp.start, p.ramp.to, p.ramp.steps)
        window = self.window(f.when, (*path, "when"))
        return Fault(
            f.name, action, window, pattern, links, services, f.source, f.assumption, f.description
        )

    def check(self, c: CheckFile, path: tuple[str | int, ...], halt: bool) -> Check:
        op, raw = next(
            (op, getattr(c, k))
            for op, k in zip(OPS, ("ge", "le", "eq", "lt", "gt"), strict=True)
            if getattr(c, k) is not None
        )
        try:
            threshold = parse_duration(raw) if c.metric in TIME_METRICS else float(raw)
        except (TypeError, ValueError) as exc:
            time_metric = c.metric in TIME_METRICS
            self.fail((*path, op), str(exc) if time_metric else f"expected a number, got {raw!r}")
            threshold = 0.0
        if not math.isfinite(threshold):
            self.fail((*path, op), f"the threshold must be a finite number, got {raw!r}")
        if c.traffic is not None and c.traffic not in TRAFFIC:
            self.fail(
                (*path, "traffic"), f"unknown traffic '{c.traffic}' (known: {', '.join(TRAFFIC)})"
            )
        if (
            c.metric in ("success_ratio", "latency", "max_gap", "via_ratio", "requests")
            and not c.traffic
        ):
            self.fail(path, f"metric {c.metric} needs a traffic class")
        if c.metric == "latency" and c.percentile is None:
            self.fail(path, "metric latency needs a percentile (e.g. percentile: 95)")
        if c.metric == "via_ratio" and not c.via:
            self.fail(path, "metric via_ratio needs via (console or radio-sets)")
        if c.region is not None and c.region not in self.topology.regions:
            self.fail((*path, "region"), f"unknown region '{c.region}'")
        if halt and c.window is None:
            self.fail(path, "a halt condition needs a window (e.g. window: 5s)")
        if halt and c.during is not None:
            self.fail((*path, "during"), "a halt condition watches a sliding window, not during")
        if not halt and c.window is not None:
            self.fail((*path, "window"), "window is for halt conditions; use during")
        name = c.name or f"{c.metric} {c.traffic or ''} {op} {raw}".replace("  ", " ")
        window = self.window(c.during, (*path, "during")) if c.during is not None else None
        return Check(
            name,
            c.metric,
            op,
            threshold,
            c.traffic,
            c.per,
            c.region,
            window,
            c.percentile,
            c.via,
            c.window,
            c.min_requests,
            c.source,
        )


def _problem(src: Source, path: tuple[str | int, ...], message: str) -> Problem:
    """Like the schema's messages: the data path, then what is wrong there."""
    where = ".".join(str(p) for p in path) or "document"
    return src.problem(path, f"{where}: {message}")


def _near(name: str, known: Any) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def build_scenario(src: Source, base: Path | None = None) -> Scenario:
    """Validate a parsed scenario and resolve it against its topology. Raises InvalidInput
    with every problem found, in file order: when the schema check fails, the parts that did
    pass it are still resolved, so one run of `harness validate` shows all the mistakes."""
    try:
        spec = src.validate(ScenarioFile)
    except InvalidInput as exc:
        found = exc.problems
        parts = _valid_parts(src)
        if parts is not None:
            try:
                _resolve(src, *parts, base)
            except InvalidInput as more:
                found = [*found, *more.problems]
        raise InvalidInput(_in_order(src, found)) from None
    try:
        return _resolve(src, spec, _all_indices(spec), base)
    except InvalidInput as exc:
        raise InvalidInput(_in_order(src, exc.problems)) from None


_LISTS = ("faults", "assertions", "halt")


def _all_indices(spec: ScenarioFile) -> dict[str, list[int]]:
    return {key: list(range(len(getattr(spec, key)))) for key in _LISTS}


def _valid_parts(src: Source) -> tuple[ScenarioFile, dict[str, list[int]]] | None:
    """The scenario without the parts that failed the schema check (and the original index
    of every fault, assertion and halt kept), or None when what is left cannot be resolved."""
    if not isinstance(src.data, dict):
        return None
    doc: dict[str, Any] = {**src.data, "version": 1, "name": "x"}
    index = {k: list(range(len(doc[k]))) if isinstance(doc.get(k), list) else [] for k in _LISTS}
    for _ in range(20):  # each round drops at least one part
        try:
            return ScenarioFile.model_validate(doc), index
        except ValidationError as exc:
            bad: dict[str, set[int]] = {k: set() for k in _LISTS}
            for err in exc.errors():
                loc = err["loc"]
                if not loc or loc[0] in ("clock", "topology"):
                    return None  # nothing resolves without them
                key = str(loc[0])
                if key in _LISTS and len(loc) > 1 and isinstance(loc[1], int):
                    bad[key].add(loc[1])
                elif key == "load" and len(loc) > 1 and isinstance(doc.get("load"), dict):
                    doc["load"] = {k: v for k, v in doc["load"].items() if k != loc[1]}
                else:
                    doc.pop(key, None)
                    index[key] = []
            for key, drop in bad.items():
                if not drop or not isinstance(doc.get(key), list):
                    continue
                doc[key] = [item for i, item in enumerate(doc[key]) if i not in drop]
                index[key] = [orig for i, orig in enumerate(index[key]) if i not in drop]
    return None


def _in_order(src: Source, problems: list[Problem]) -> list[Problem]:
    """File order, once each; problems in the topology file follow the line that names it."""
    topology_line = src.line(("topology",)) or 0

    def order(p: Problem) -> int:
        return (p.line or 0) if p.file == src.file else topology_line

    return sorted(dict.fromkeys(problems), key=order)


def _resolve(
    src: Source, spec: ScenarioFile, index: dict[str, list[int]], base: Path | None
) -> Scenario:
    base = base if base is not None else Path(src.file).parent
    topo_path = (base / spec.topology).resolve()
    if not topo_path.is_file():
        raise InvalidInput([_problem(src, ("topology",), f"no such file: {topo_path}")])
    try:
        topology = load_topology(topo_path)
    except InvalidInput as exc:
        line = src.line(("topology",))
        raise InvalidInput(
            [Problem(src.file, line, f"topology {spec.topology} is invalid"), *exc.problems]
        ) from None
    start, end = spec.clock.start, spec.clock.end
    problems: list[Problem] = []
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        problems.append(_problem(src, ("clock",), "start and end must be absolute times"))
        start = end = datetime(2000, 1, 1)
    elif end <= start:
        problems.append(_problem(src, ("clock", "end"), "the clock ends before it starts"))
    if spec.clock.replay <= 0:
        problems.append(_problem(src, ("clock", "replay"), "must be longer than 0s"))
    if problems:
        raise InvalidInput(problems)
    clock = Clock(start, end, spec.clock.replay)
    r = _Resolver(src, spec, topology, clock)
    for traffic in spec.load:
        if traffic not in TRAFFIC:
            r.fail(("load", traffic), f"unknown traffic '{traffic}' (known: {', '.join(TRAFFIC)})")
    names: set[str] = set()
    faults = []
    for i, f in zip(index["faults"], spec.faults, strict=True):
        if f.name in names:
            r.fail(("faults", i, "name"), f"duplicate fault name '{f.name}'")
        names.add(f.name)
        if (fault := r.fault(f, i)) is not None:
            faults.append(fault)
    assertions = tuple(
        r.check(c, ("assertions", i), False)
        for i, c in zip(index["assertions"], spec.assertions, strict=True)
    )
    halts = tuple(
        r.check(c, ("halt", i), True) for i, c in zip(index["halt"], spec.halt, strict=True)
    )
    if r.problems:
        raise InvalidInput(r.problems)
    load = tuple(TrafficLoad(k, v) for k, v in spec.load.items())
    return Scenario(
        spec.name,
        spec.description,
        src.file,
        topology,
        clock,
        spec.seed,
        load,
        tuple(faults),
        assertions,
        halts,
        tuple(spec.sources),
        tuple(spec.assumptions),
        spec.max_drift,
    )


def load_scenario(path: Path) -> Scenario:
    return build_scenario(load_yaml(path))
