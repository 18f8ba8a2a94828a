"""The scenario file: pydantic models that mirror the YAML (version 1, docs/scenarios.md).

They reject unknown keys and check each value on its own (a known toxic and its attributes,
one comparison per check); what needs the topology or the clock is checked when the file is
resolved (resolve.py). docs/scenario.schema.json is generated from `ScenarioFile` (schema.py).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    JsonValue,
    Tag,
    model_validator,
)

from harness.model.arrivals_file import BuiltinLoadFile
from harness.model.duration import Duration, parse_duration
from harness.model.explain import AtKey
from harness.model.explore_file import ExploreFile
from harness.model.rate import Rate as Rate  # re-exported: the one rate syntax
from harness.model.rate import parse_rate as parse_rate
from harness.model.time_point import TimePoint
from harness.model.time_point import parse_time_point as parse_time_point
from harness.model.toxics import STREAMS, TOXICS

Metric = Literal[
    "success_ratio",
    "latency",
    "max_gap",
    "max_scenario_gap",
    "incidents_reconciled",
    "via_ratio",
    "requests",
    "outage_spans",
    "answered_by_ratio",
    "unexpected_damage",
]
METRICS: tuple[str, ...] = get_args(Metric)
TIME_METRICS = ("latency", "max_gap", "max_scenario_gap")
OPS = (">=", "<=", "==", "<", ">")
PROCESS_ACTIONS = ("pause", "kill", "restart")
APP_MODES = ("sip", "http", "slow", "garbage", "drop")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class FocusFile(_Strict):
    """A stretch of scenario time replayed slower: at least `replay` seconds of wall time."""

    start: TimePoint = Field(alias="from")
    until: TimePoint
    replay: Duration


class ClockFile(_Strict):
    start: TimePoint
    end: TimePoint
    replay: Duration
    focus: Literal["auto"] | list[FocusFile] | None = Field(
        None,
        description="`auto`: every assertion window gets the wall time its sample floor needs; "
        "or explicit windows; none: one rate for the whole replay",
    )
    min_samples: int = Field(
        20, ge=1, description="the requests an assertion window must expect to be judged"
    )


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
                try:
                    toxic.native(key, value)
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
                app_fault(self.app)
            except ValueError as exc:
                raise AtKey("app", str(exc)) from None
        return self


def app_fault(value: str | dict[str, Any]) -> dict[str, Any]:
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
    metric: Metric
    traffic: str | None = None
    per: Literal["region"] | None = None
    region: str | None = None
    during: WindowFile | None = None
    percentile: float | None = Field(None, gt=0, le=100)
    via: str | None = None
    answered_by: Literal["own", "backup"] | None = None  # answered_by_ratio: whose meldkamer
    # `window:` in a halt: the sliding wall-clock window (`during:` is an assertion's)
    halt_window: Duration | None = Field(None, alias="window")
    min_requests: int = Field(1, ge=0)
    # fidelity: the faults whose damage this assertion shows; it must fail without them
    shows: str | list[str] | None = None
    source: str | None = None
    assumption: str | None = None  # a threshold or scaling no source gives
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


SipStatus = Annotated[int, Field(ge=100, le=699)]
HttpStatus = Annotated[int, Field(ge=100, le=599)]
USER_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")
EXCHANGES = ("sip", "http", "tcp", "user")


def _sip_uri(value: str) -> str:
    if not re.fullmatch(r"sips?:\S+", value):
        raise ValueError(f"a SIP request URI starts with sip: or sips:, not {value!r}")
    return value


def _http_method(value: str) -> str:
    if not re.fullmatch(r"[A-Z]+", value):
        raise ValueError(f"an HTTP method is written in capitals (GET, POST), not {value!r}")
    return value


def _http_path(value: str) -> str:
    if not re.fullmatch(r"/\S*", value):
        raise ValueError(f"an HTTP path starts with / and has no spaces, not {value!r}")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("a line has no line breaks")
    return value


class SipTrafficFile(_Strict):
    uri: Annotated[str, AfterValidator(_sip_uri)]
    expect: list[SipStatus] = Field(default_factory=lambda: [200], min_length=1)
    hold: Duration | None = None


class JsonCheckFile(_Strict):
    field: str = Field(min_length=1)
    equals: JsonValue


class HttpTrafficFile(_Strict):
    method: Annotated[str, AfterValidator(_http_method)] = "GET"
    path: Annotated[str, AfterValidator(_http_path)] = "/"
    body: JsonValue = None
    expect: HttpStatus | list[HttpStatus] = 200
    json_check: JsonCheckFile | None = Field(None, alias="json")


class TcpTrafficFile(_Strict):
    send: Annotated[str, AfterValidator(_one_line)]
    expect: Annotated[str, AfterValidator(_one_line)]


class TrafficFile(_Strict):
    """A traffic class the scenario declares: a client, one exchange (or user), a rate."""

    client: str
    sip: SipTrafficFile | None = None
    http: HttpTrafficFile | None = None
    tcp: TcpTrafficFile | None = None
    user: str | None = None
    rate: Rate
    regions: list[str] | None = Field(None, min_length=1)
    timeout: Duration | None = None

    @model_validator(mode="after")
    def _one_exchange(self) -> TrafficFile:
        if len([k for k in EXCHANGES if getattr(self, k) is not None]) != 1:
            raise ValueError("give exactly one of sip, http, tcp, user")
        if self.user is not None and not USER_PATH.fullmatch(self.user):
            raise AtKey(
                "user", f"user must be module:Class (e.g. my_pkg.users:MyUser), not {self.user!r}"
            )
        if self.timeout is not None and self.timeout <= 0:
            raise AtKey("timeout", "must be longer than 0s")
        return self


def _load_kind(value: object) -> str:
    """A mapping with a client or an exchange declares a class, one without is a built-in's
    rate and arrivals; anything else is a built-in class's rate."""
    if isinstance(value, dict):
        return "declared" if {"client", *EXCHANGES} & value.keys() else "builtin"
    kinds: dict[type, str] = {TrafficFile: "declared", BuiltinLoadFile: "builtin"}
    return kinds.get(type(value), "rate")


LoadEntry = Annotated[
    Annotated[Rate, Tag("rate")]
    | Annotated[BuiltinLoadFile, Tag("builtin")]
    | Annotated[TrafficFile, Tag("declared")],
    Discriminator(_load_kind),
]


class ScenarioFile(_Strict):
    version: Literal[1]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    topology: str = "topologies/meldkamer-nl.yaml"
    design: str | None = Field(
        default=None,
        description="The topology as designed, that the blast radius is predicted from "
        "(unexpected_damage); unset: the scenario's topology.",
    )
    clock: ClockFile
    seed: int = 0
    load: dict[str, LoadEntry] = Field(default_factory=dict)
    faults: list[FaultFile] = Field(default_factory=list)
    assertions: list[CheckFile] = Field(default_factory=list)
    halt: list[CheckFile] = Field(default_factory=list)
    explore: ExploreFile | None = Field(
        default=None, description="Bounds for `harness explore` (docs/explore.md); runs ignore it."
    )
    max_drift: Duration | None = Field(
        default=None,
        description="Longest time (wall clock, in all) applied faults may be found missing "
        "and healed during the run; more is an infrastructure error (exit 3). Unset: drift "
        "is reported only.",
    )
