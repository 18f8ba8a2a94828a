"""The data behind the timeline plot: fault windows per target, the moments a fault was found
missing (drift), and per-bin load metrics.

Binning is vectorised with numpy so a journal of 100k requests takes milliseconds. Latency
percentiles per bin use the nearest rank, as the latency metric does.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from harness.assertions.view import JournalView
from harness.journal import Request, Transition

Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FaultSpan:
    """A fault active on one target from `start` to `end` (scenario seconds)."""

    target: str
    fault: str
    start: float
    end: float
    open_at_end: bool = False  # no matching off: it lasted until the run ended


@dataclass(frozen=True)
class DriftMark:
    """An applied fault found missing on one target: its missing window (scenario seconds,
    from the last time it was seen in force to when it was seen back)."""

    target: str
    fault: str
    start: float
    end: float
    ok: bool  # re-applied


@dataclass(frozen=True)
class TrafficSeries:
    traffic: str
    edges: Floats  # bin edges, scenario seconds (bins + 1)
    requests: Floats  # requests per bin
    success: Floats  # success ratio per bin; NaN where there were no requests
    p50: Floats  # latency of successes per bin, seconds; NaN where none succeeded
    p95: Floats

    @property
    def centers(self) -> Floats:
        return (self.edges[:-1] + self.edges[1:]) / 2


@dataclass(frozen=True)
class Timeline:
    clock_start: datetime
    span: float  # scenario seconds the run was meant to cover
    end_t: float  # scenario time the run reached
    faults: tuple[FaultSpan, ...]
    failed_transitions: tuple[Transition, ...]
    series: tuple[TrafficSeries, ...]
    halts: tuple[tuple[float, str], ...]  # (scenario time, check name)
    drifts: tuple[DriftMark, ...] = ()


def build_timeline(view: JournalView, bins: int | None = None) -> Timeline:
    end_t = view.end_t
    span = max(view.span, end_t, 1.0)
    if bins is None:
        bins = int(min(240, max(20, len(view.requests) // 25)))
    return Timeline(
        view.clock_start,
        span,
        end_t,
        tuple(fault_spans(view.transitions, end_t)),
        tuple(t for t in view.transitions if not t.ok),
        tuple(traffic_series(view.requests, span, bins)),
        tuple((h.t, h.check) for h in view.halts),
        tuple(
            DriftMark(
                d.target, d.fault, view.scenario_at(d.last_seen), view.scenario_at(d.wall), d.ok
            )
            for d in view.drifts
        ),
    )


def fault_spans(transitions: Sequence[Transition], end_t: float) -> list[FaultSpan]:
    """Pair each target's on/off transitions per fault. A repeated on (a ramp changing a
    toxic in place) continues the open span; failed transitions changed nothing."""
    opened: dict[tuple[str, str], float] = {}
    spans: list[FaultSpan] = []
    for tr in sorted((t for t in transitions if t.ok), key=lambda t: t.t):
        key = (tr.target, tr.fault)
        if tr.on:
            opened.setdefault(key, tr.t)
        elif key in opened:
            spans.append(FaultSpan(tr.target, tr.fault, opened.pop(key), tr.t))
    for (target, fault), start in opened.items():
        spans.append(FaultSpan(target, fault, start, max(start, end_t), open_at_end=True))
    return sorted(spans, key=lambda s: (s.target, s.start))


def traffic_series(requests: Sequence[Request], span: float, bins: int) -> list[TrafficSeries]:
    by_traffic: dict[str, tuple[list[float], list[bool], list[float]]] = {}
    for r in requests:
        ts, oks, lats = by_traffic.setdefault(r.traffic, ([], [], []))
        ts.append(r.t)
        oks.append(r.ok)
        lats.append(r.latency)
    edges = np.linspace(0.0, span, bins + 1)
    out = []
    for traffic in sorted(by_traffic):
        ts, oks, lats = by_traffic[traffic]
        t, ok, lat = np.asarray(ts), np.asarray(oks, dtype=bool), np.asarray(lats)
        index = np.clip((t / span * bins).astype(np.int64), 0, bins - 1)
        counts = np.bincount(index, minlength=bins).astype(np.float64)
        good = np.bincount(index, weights=ok.astype(np.float64), minlength=bins)
        with np.errstate(invalid="ignore", divide="ignore"):
            success = np.where(counts > 0, good / counts, np.nan)
        p50, p95 = binned_percentiles(index[ok], lat[ok], bins, (50, 95))
        out.append(TrafficSeries(traffic, edges, counts, success, p50, p95))
    return out


def binned_percentiles(
    index: npt.NDArray[np.int64], values: Floats, bins: int, percentiles: Sequence[float]
) -> list[Floats]:
    """Nearest-rank percentiles of `values` within each bin; NaN for empty bins."""
    order = np.lexsort((values, index))
    index, values = index[order], values[order]
    n = np.bincount(index, minlength=bins)
    first = np.concatenate(([0], np.cumsum(n)[:-1]))
    has = n > 0
    result = []
    for p in percentiles:
        rank = np.maximum(np.ceil(p / 100 * n).astype(np.int64), 1)
        out = np.full(bins, math.nan)
        out[has] = values[(first + rank - 1)[has]]
        result.append(out)
    return result
