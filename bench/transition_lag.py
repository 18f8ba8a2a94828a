"""P3: fault transition lag, scheduled -> confirmed by Toxiproxy.

A real toxiproxy-server, the real Toxiproxy driver and the reconciler follow a schedule of
`rate` transitions per second spread evenly over `links` proxies (half cut, half slowed) for
`duration` seconds. The lag of a transition is the wall time Toxiproxy confirmed it minus the
wall time it was due, as journaled. Target: p99 <= 20 ms at 50 transitions/s.

    python -m bench.transition_lag
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from harness import procs
from harness.faults.applied import AppliedStore
from harness.faults.reconciler import Reconciler
from harness.faults.toxics import ToxiproxyDriver
from harness.journal import Event, Transition
from harness.model.scenario import Clock, Fault, Flap, Scenario, ToxicAction, Window
from harness.model.topology import Link, Service, Topology
from harness.schedule import Schedule
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer

LEAD_IN = 0.5  # seconds before the first transition, for the reconciler to settle


@dataclass(frozen=True)
class TransitionLag:
    transitions: int
    failed: int
    p50_ms: float
    p99_ms: float
    max_ms: float

    def __str__(self) -> str:
        return (
            f"transition lag over {self.transitions} transitions ({self.failed} failed): "
            f"p50 {self.p50_ms:.2f} ms, p99 {self.p99_ms:.2f} ms, max {self.max_ms:.2f} ms"
        )


class _Collect:
    def __init__(self) -> None:
        self.transitions: list[Transition] = []
        self._lock = threading.Lock()

    def write(self, event: Event) -> None:
        if isinstance(event, Transition):
            with self._lock:
                self.transitions.append(event)


def flapping_scenario(links: list[str], rate: float, duration: float) -> Scenario:
    """Each link flaps with a fixed period; starts are staggered so transitions come evenly."""
    period = len(links) / rate
    span = LEAD_IN + duration + 1.0
    faults = []
    for i, link in enumerate(links):
        action = ToxicAction("down") if i % 2 == 0 else ToxicAction("latency", (("latency", 5),))
        first = LEAD_IN + i / rate
        faults.append(
            Fault(
                f"bench-{i}",
                action,
                Window(first, first + duration),
                Flap((period, period), (period, period), first="down"),
                links=(link,),
            )
        )
    services = {"x": Service("x", "police-ict")}
    topology = Topology(
        "bench", "", "<bench>", {}, services, {n: Link(n, "x", "http") for n in links}
    )
    t0 = datetime(2020, 9, 15)
    clock = Clock(t0, t0 + timedelta(seconds=span), span)
    return Scenario("bench-lag", "", "<bench>", topology, clock, 0, faults=tuple(faults))


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def bench_transition_lag(
    rate: float = 50.0, duration: float = 10.0, links: int = 10, idle: int = 0
) -> TransitionLag:
    """`links` proxies flap; `idle` more exist on the server and in the driver, untouched
    (a bigger world with the same faults: what the growth curves vary)."""
    flapping = [f"bench-{i}->x" for i in range(links)]
    names = [*flapping, *(f"idle-{i}->x" for i in range(idle))]
    scenario = flapping_scenario(flapping, rate, duration)
    journal = _Collect()
    with ToxiproxyServer() as server, tempfile.TemporaryDirectory() as tmp:
        client = ToxiproxyClient(server.api)
        upstream = f"127.0.0.1:{procs.free_port()}"  # toggling toxics needs no live upstream
        client.populate([{"name": n, "listen": "127.0.0.1:0", "upstream": upstream} for n in names])
        with Reconciler(
            Schedule(scenario),
            [ToxiproxyDriver(client, names)],
            journal,
            scenario.clock,
            AppliedStore(Path(tmp) / "applied.json", server.api),
        ) as reconciler:
            reconciler.run(threading.Event(), time.time())
            reconciler.clear()
        client.close()
    lags = [(t.wall - t.scheduled) * 1000 for t in journal.transitions if t.ok]
    return lag_of(lags, sum(1 for t in journal.transitions if not t.ok))


def lag_of(lags: list[float], failed: int) -> TransitionLag:
    """Percentiles of transition lags in milliseconds."""
    if not lags:
        return TransitionLag(0, failed, float("nan"), float("nan"), float("nan"))
    return TransitionLag(
        len(lags), failed, _percentile(lags, 0.5), _percentile(lags, 0.99), max(lags)
    )


if __name__ == "__main__":
    print(bench_transition_lag())
