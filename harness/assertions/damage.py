"""The observed blast radius: for every fault and traffic class (per region), was it damaged?

The rule, from the journal alone:
- a fault is on from each `transition` that switched one of its targets on (and succeeded)
  until that target's switch off (or the run's end); a fault is on while any target is;
- a request counts for a fault when its whole life (`wall` to `wall + latency`) lies in time
  that fault was on and no other fault was (so an overlapping fault's damage is not blamed
  on it), and for the baseline when its whole life lies in time no fault was on; a request
  that straddles a switch is left out of both;
- damaged when the success ratio while the fault was on is clearly below the baseline's:
  their 99 % Wilson score intervals do not overlap (the fault's upper bound below the
  baseline's lower bound); unharmed when they do;
- damage is told at any sample count (with few samples the intervals are wide, so intervals
  apart are evidence); fewer than MIN_SAMPLES requests on either side and no such evidence is
  "not enough samples", never "unharmed".
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from dataclasses import dataclass

from harness.assertions.view import JournalView
from harness.journal import Request, Transition

MIN_SAMPLES = 20  # requests on each side before a cell is judged
Z = 2.576  # the 99 % two-sided normal quantile, for the Wilson score interval
DAMAGED, UNHARMED, UNDECIDED = "damaged", "unharmed", "not enough samples"

Spans = list[tuple[float, float]]  # sorted, disjoint [start, end) in wall seconds


@dataclass(frozen=True)
class Observed:
    fault: str
    traffic: str
    region: str  # "" for requests naming no region
    verdict: str  # DAMAGED | UNHARMED | UNDECIDED
    ok: int  # successes while the fault alone was on
    samples: int
    baseline_ok: int  # successes while no fault was on
    baseline: int

    @property
    def ratio(self) -> float | None:
        return self.ok / self.samples if self.samples else None

    @property
    def baseline_ratio(self) -> float | None:
        return self.baseline_ok / self.baseline if self.baseline else None


def wilson(ok: int, n: int, z: float = Z) -> tuple[float, float]:
    """The Wilson score interval of a success ratio ok/n (n > 0)."""
    p = ok / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def verdict(ok: int, n: int, base_ok: int, base_n: int) -> str:
    """Damage is told at any sample count (the intervals are wide when samples are few, so
    apart they are evidence); "unharmed" needs MIN_SAMPLES on each side, or it is a guess."""
    if n and base_n and wilson(ok, n)[1] < wilson(base_ok, base_n)[0]:
        return DAMAGED
    return UNHARMED if n >= MIN_SAMPLES and base_n >= MIN_SAMPLES else UNDECIDED


def union(spans: Iterable[tuple[float, float]]) -> Spans:
    out: Spans = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def minus(spans: Spans, cut: Spans) -> Spans:
    out: Spans = []
    for start, end in spans:
        for c0, c1 in cut:
            if c1 <= start or c0 >= end:
                continue
            if c0 > start:
                out.append((start, c0))
            start = max(start, c1)
        if start < end:
            out.append((start, end))
    return out


def covers(spans: Spans, lo: float, hi: float) -> bool:
    """Whether one span holds all of [lo, hi]."""
    i = bisect.bisect_right(spans, (lo, math.inf)) - 1
    return i >= 0 and spans[i][0] <= lo and hi <= spans[i][1]


def fault_spans(transitions: Iterable[Transition], end: float) -> dict[str, Spans]:
    """When each fault was on, from its targets' switches (an unclosed one lasts to `end`)."""
    since: dict[tuple[str, str], float] = {}
    spans: dict[str, list[tuple[float, float]]] = {}
    for x in sorted(transitions, key=lambda x: x.wall):
        spans.setdefault(x.fault, [])
        key = (x.fault, x.target)
        if x.on and x.ok:
            since.setdefault(key, x.wall)
        elif not x.on and key in since:
            spans[x.fault].append((since.pop(key), x.wall))
    for (fault, _), start in since.items():
        spans[fault].append((start, end))
    return {fault: union(s) for fault, s in spans.items()}


def _count(requests: Iterable[Request], spans: Spans) -> tuple[int, int]:
    inside = [r for r in requests if covers(spans, r.wall, r.wall + max(r.latency, 0.0))]
    return sum(1 for r in inside if r.ok), len(inside)


def observe(view: JournalView, faults: Iterable[str] = ()) -> list[Observed]:
    """Every fault (those the journal switched, and `faults`) x traffic x region judged."""
    on = fault_spans(view.transitions, view.end_wall)
    for name in faults:
        on.setdefault(name, [])
    run = [(view.start_wall, view.end_wall)]
    quiet = minus(run, union(s for spans in on.values() for s in spans))
    groups: dict[tuple[str, str], list[Request]] = {}
    for r in view.requests:
        groups.setdefault((r.traffic, r.region or ""), []).append(r)
    out = []
    for fault, spans in sorted(on.items()):
        others = union(s for name, o in on.items() if name != fault for s in o)
        alone = minus(spans, others)
        for (traffic, region), requests in sorted(groups.items()):
            ok, n = _count(requests, alone)
            base_ok, base_n = _count(requests, quiet)
            judged = verdict(ok, n, base_ok, base_n)
            out.append(Observed(fault, traffic, region, judged, ok, n, base_ok, base_n))
    return out
