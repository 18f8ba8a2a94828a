"""Metrics over journal requests: pure functions, one per metric.

Each takes the requests of one selection (traffic class, region, window; see view.py) and
returns the observed value, or None when there is nothing to observe. Units: ratios in
[0, 1], times in seconds.

max_gap is measured in WALL seconds although windows are written in scenario time: a
threshold like "2s" is about real reachability during the compressed replay (a caller who
waits 2 s), not about 2 s of the 2020 timeline, which may be a few milliseconds of replay.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from harness.journal import Incidents, Request


def success_ratio(requests: Sequence[Request]) -> float | None:
    """Successful requests / all requests."""
    if not requests:
        return None
    return sum(1 for r in requests if r.ok) / len(requests)


def latency(requests: Sequence[Request], percentile: float) -> float | None:
    """The `percentile` of successful requests' latency (nearest rank: the smallest latency
    that at least `percentile` % of the successes do not exceed). Failures have no latency."""
    values = sorted(r.latency for r in requests if r.ok)
    if not values:
        return None
    return values[nearest_rank(len(values), percentile)]


def nearest_rank(n: int, percentile: float) -> int:
    """The index, in n sorted samples, of their `percentile` by the nearest-rank method."""
    return min(max(math.ceil(percentile / 100 * n), 1), n) - 1


def max_gap(success_walls: Iterable[float], start: float, end: float) -> float:
    """The longest stretch of [start, end] (wall seconds) without a success, counting the
    stretch before the first success and after the last. No successes: the whole window."""
    if end <= start:
        return 0.0
    longest, previous = 0.0, start
    for wall in sorted(min(max(w, start), end) for w in success_walls):
        longest = max(longest, wall - previous)
        previous = wall
    return max(longest, end - previous)


def incidents_reconciled(call_ids: Iterable[str], incidents: Incidents) -> float | None:
    """Share of answered calls whose call id has exactly one incident in GMS: 0 is a lost
    incident, 2 or more a duplicate."""
    ids = set(call_ids)
    if not ids:
        return None
    return sum(1 for call_id in ids if incidents.counts.get(call_id, 0) == 1) / len(ids)


def via_ratio(requests: Sequence[Request], via: str) -> float | None:
    """Share of successful dispatches that went `via` (console or radio-sets)."""
    done = [r for r in requests if r.ok]
    if not done:
        return None
    return sum(1 for r in done if r.via == via) / len(done)


def outage_spans(requests: Sequence[Request], via: str | None = None) -> int | None:
    """How many separate runs of consecutive failures the requests show, in wall-time order:
    one long outage is one span, an outage that comes and goes is several. Every run counts,
    a single stray failure too (at compressed rates a real down phase may hold one request).
    With `via`, a dispatch is up only when it went that way: the console's own outages, which
    the radio-sets fallback hides from success_ratio."""
    if not requests:
        return None
    spans, failing = 0, False
    for r in sorted(requests, key=lambda r: (r.wall, r.t)):
        spans += not up(r, via) and not failing
        failing = not up(r, via)
    return spans


def up(r: Request, via: str | None = None) -> bool:
    """Whether a request counts as up: it succeeded, and went `via` that path if one is given."""
    return r.ok and (via is None or r.via == via)


def answered_by_own(r: Request, service_regions: Mapping[str, str]) -> bool | None:
    """Whether a successful call was answered by a service of the caller's own region; None
    when that cannot be told (the answer names no service, or the caller has no region)."""
    if r.answered_by is None or r.region is None:
        return None
    return service_regions.get(r.answered_by) == r.region


def answered_by_ratio(
    requests: Sequence[Request], answered_by: str, service_regions: Mapping[str, str]
) -> float | None:
    """Share of successful calls (those that name who answered) answered by the caller's
    `own` region or by another region's service (`backup`)."""
    told = [
        own for r in requests if r.ok and (own := answered_by_own(r, service_regions)) is not None
    ]
    if not told:
        return None
    wanted = answered_by == "own"
    return sum(1 for own in told if own == wanted) / len(told)


def request_count(requests: Sequence[Request]) -> int:
    return len(requests)
