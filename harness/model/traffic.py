"""The traffic classes: the kinds of load a scenario can put on the world, in one table.

Each class enters through one topology client, speaks one protocol, is driven by one Locust
user class and has its own idea of a success. Adding a class is one entry here plus its user
class in harness/load/users.py. The user class is named by a dotted path, not imported:
the model must not import Locust (its gevent monkey-patching breaks the harness).
"""

from __future__ import annotations

from dataclasses import dataclass

# Metrics every traffic class has: they count, time and space out its requests.
COMMON_METRICS = ("success_ratio", "latency", "max_gap", "requests")


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
            metrics=(*COMMON_METRICS, "incidents_reconciled"),
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


def unknown_traffic(name: str) -> str:
    """The message for a traffic name not in the table."""
    return f"unknown traffic '{name}' (known: {', '.join(TRAFFIC_CLASSES)})"
