"""The traffic classes: the kinds of load a scenario can put on the world, in one table.

Each class enters through one topology client, speaks one protocol, is driven by one Locust
user class and has its own idea of a success. Adding a class is one entry here plus its user
class in harness/load/users.py. The user class is named by a dotted path, not imported:
the model must not import Locust (its gevent monkey-patching breaks the harness).

A scenario may also declare its own classes (generic traffic, docs/scenarios.md): a SIP call,
an HTTP request or a TCP line exchange described by an `Exchange`, or a team's own Locust user
(`CustomUser`). resolve_load.py builds their `TrafficClass` the same shape as the built-ins'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Metrics every traffic class has: they count, time and space out its requests.
COMMON_METRICS = (
    "success_ratio",
    "latency",
    "max_gap",
    "max_scenario_gap",
    "requests",
    "outage_spans",
)


@dataclass(frozen=True)
class SipExchange:
    """INVITE `uri` -> final answer; ACK; hold; BYE. A success is a final status in `expect`."""

    uri: str  # any request URI; {region} is the caller's region
    expect: tuple[int, ...] = (200,)
    hold: float | None = None  # seconds; None: the run's hold


@dataclass(frozen=True)
class HttpExchange:
    """One request; a success is a status in `expect` (and the JSON field equal, if given)."""

    method: str
    path: str  # {region} is the user's region
    body: str | None = None  # JSON text
    expect: tuple[int, ...] = (200,)
    json_field: str | None = None  # dotted path into the JSON answer
    json_equals: str | None = None  # JSON text of the value it must have


@dataclass(frozen=True)
class TcpExchange:
    """Send one line, read one line; a success is exactly the `expect` line."""

    send: str  # {region} is the user's region
    expect: str


@dataclass(frozen=True)
class CustomUser:
    """A team's own Locust user class; its module is imported from `search` first."""

    search: tuple[str, ...] = ()  # absolute folders: the scenario's, then the current one


Exchange = SipExchange | HttpExchange | TcpExchange | CustomUser

# The header SIP and HTTP requests of a regional declared class carry the user's region in.
REGION_HEADER = "X-Caller-Region"


@dataclass(frozen=True)
class TrafficClass:
    name: str
    client: str  # the topology client it enters through
    protocol: str  # sip | line | http
    user: str  # its Locust user class, "module:Class"
    success: str  # what counts as a successful request, in words
    metrics: tuple[str, ...] = COMMON_METRICS  # the metrics an assertion may apply to it
    number: str | None = None  # SIP: the number dialled; {region} is the caller's region
    regional: bool = False  # users belong to a region even when the entry is national
    reconciled: bool = False  # GMS's incidents are reconciled against its answered calls
    # declared by a scenario (generic traffic); None for the built-ins of the table below
    exchange: Exchange | None = None
    regions: tuple[str, ...] | None = None  # the regions its users belong to; None: national
    timeout: float | None = None  # its latency budget in seconds; None: the run's timeout

    @property
    def hold(self) -> float | None:
        """A declared SIP class's hold time (None: the run's)."""
        return self.exchange.hold if isinstance(self.exchange, SipExchange) else None


def _callers(
    name: str, number: str, metrics: tuple[str, ...] = COMMON_METRICS, reconciled: bool = False
) -> TrafficClass:
    """Callers from every region dialling `number` through telephony."""
    return TrafficClass(
        name,
        "callers",
        "sip",
        "harness.load.users:SipCallerUser",
        "an answered call (200 OK), even when its BYE then fails",
        metrics,
        number,
        regional=True,  # a caller sends its region in X-Caller-Region
        reconciled=reconciled,
    )


TRAFFIC_CLASSES: dict[str, TrafficClass] = {
    c.name: c
    for c in (
        _callers(
            "callers-112",
            "112",
            metrics=(*COMMON_METRICS, "incidents_reconciled", "answered_by_ratio"),
            reconciled=True,
        ),
        _callers("callers-0900", "09008844"),
        _callers("callers-088", "088"),
        # dial a meldkamer's own published number (2019), bypassing 112 routing
        _callers("callers-alternate", "meldkamer-{region}"),
        TrafficClass(
            "radio-units",
            "radio-units",
            "line",
            "harness.load.users:RadioUnitUser",
            "a GRANT for a PTT, an ACK for a STATUS",
            regional=True,  # each unit keys up on its region's talkgroup
        ),
        TrafficClass(
            "office-users",
            "office-users",
            "http",
            "harness.load.users:OfficeUser",
            "HTTP 200 for the start page",
        ),
        TrafficClass(
            "dispatchers",
            "dispatchers",
            "http",
            "harness.load.users:DispatcherUser",
            "HTTP 200 naming the way the dispatch went (console or radio sets)",
            metrics=(*COMMON_METRICS, "via_ratio"),
            regional=True,
        ),
    )
}

# The calls whose incidents GMS is asked about after a run (incidents_reconciled's default).
INCIDENT_TRAFFIC: str = next(c.name for c in TRAFFIC_CLASSES.values() if c.reconciled)


def unknown_traffic(name: str, known: Iterable[str] = TRAFFIC_CLASSES) -> str:
    """The message for a traffic name not in the table (nor among the scenario's own)."""
    return f"unknown traffic '{name}' (known: {', '.join(known)})"
