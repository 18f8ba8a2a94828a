"""Per traffic class totals of a run: how much load there was and how it fared."""

from __future__ import annotations

from dataclasses import dataclass

from harness.assertions import metrics
from harness.assertions.view import JournalView


@dataclass(frozen=True)
class TrafficTotals:
    traffic: str
    requests: int
    ok: int
    p50: float | None  # latency of successes, seconds
    p95: float | None
    p99: float | None

    @property
    def success_ratio(self) -> float | None:
        return self.ok / self.requests if self.requests else None


def traffic_totals(view: JournalView) -> list[TrafficTotals]:
    classes = sorted({r.traffic for r in view.requests})
    totals = []
    for traffic in classes:
        requests = view.select(traffic).requests
        p50, p95, p99 = (metrics.latency(requests, p) for p in (50, 95, 99))
        ok = sum(1 for r in requests if r.ok)
        totals.append(TrafficTotals(traffic, len(requests), ok, p50, p95, p99))
    return totals
