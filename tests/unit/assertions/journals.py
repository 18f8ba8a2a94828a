"""Hand-made journals for assertion and report tests.

The run's clock: scenario time starts 2020-09-15T00:00, one scenario hour is replayed in one
wall minute (60 scenario seconds per wall second), and the run starts at wall time 1000.
"""

from __future__ import annotations

from typing import Any

from harness.journal import Drift, Event, Incidents, Request, RunEnd, RunStart, Transition
from harness.model.scenario import Check, Window

WALL0 = 1000.0
SPAN = 3600.0  # scenario seconds
REPLAY = 60.0  # wall seconds
FACTOR = SPAN / REPLAY


def wall(t: float) -> float:
    return WALL0 + t / FACTOR


def start(**kw: Any) -> RunStart:
    fields: dict[str, Any] = {
        "scenario": "unit",
        "seed": 7,
        "clock_start": "2020-09-15T00:00:00",
        "span": SPAN,
        "replay": REPLAY,
        "file": "scenarios/unit.yaml",
    }
    return RunStart(WALL0, 0.0, **{**fields, **kw})


def end(t: float = SPAN, verdict: str = "passed", reason: str = "") -> RunEnd:
    return RunEnd(wall(t), t, verdict, reason)


def req(
    t: float,
    ok: bool = True,
    traffic: str = "callers-112",
    region: str | None = "rotterdam",
    latency: float = 0.05,
    **kw: Any,
) -> Request:
    return Request(wall(t), t, traffic, ok, latency, region, **kw)


def transition(
    t: float, on: bool, target: str = "telephony->police-ict", fault: str = "flap"
) -> Transition:
    return Transition(wall(t), t, fault, f"down {target}", target, on, wall(t))


def incidents(counts: dict[str, int], pending: int = 0) -> Incidents:
    return Incidents(wall(SPAN), SPAN, counts, pending)


def run(*events: Event, finished: bool = True) -> list[Event]:
    """A journal: run-start, the given events, and (unless told otherwise) a run-end."""
    return [start(), *events, *([end()] if finished else [])]


def check(
    metric: str = "success_ratio", op: str = ">=", threshold: float = 0.99, **kw: Any
) -> Check:
    kw.setdefault("traffic", None if metric == "incidents_reconciled" else "callers-112")
    return Check(kw.pop("name", f"{metric} {op} {threshold}"), metric, op, threshold, **kw)


def window(start_t: float, end_t: float) -> Window:
    return Window(start_t, end_t)


def drift(
    t: float,
    missing: float,
    fault: str = "flap",
    target: str = "telephony->police-ict",
    ok: bool = True,
    done: str = "re-applied",
    found: str = "proxy enabled",
) -> Drift:
    """A fault found missing, seen back in force at scenario time t after `missing` seconds."""
    at = wall(t)
    return Drift(
        at,
        t,
        fault,
        f"down {target}",
        target,
        expected="link down",
        found=found,
        done=done,
        last_seen=at - missing,
        detected=at - missing / 2,
        missing=missing,
        ok=ok,
    )
