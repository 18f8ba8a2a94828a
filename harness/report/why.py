"""Why an assertion failed, from the journal alone: what went wrong among the failing samples
of its selection, which faults were active at them, and when it started and was worst.

Pure over a JournalView and an Outcome (no sockets, no files). The failing samples depend on
the metric: failed requests (success_ratio, max_gap), successes slower than the threshold
(latency), dispatches that went another way (via_ratio), answered calls whose incident GMS
lost or holds twice (incidents_reconciled). A per-region check looks at its failing regions.
"Worst" is the stretch of scenario time with the most failing samples (for max_gap: the
longest gap itself), so a reader sees when, not only how much.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter

from harness.assertions.evaluate import Outcome, traffic_of
from harness.assertions.view import JournalView, Selection
from harness.journal import Request
from harness.model.duration import format_duration
from harness.model.scenario import Check
from harness.report import readable
from harness.report.causes import Cause, cause_of
from harness.report.timeline import fault_spans

CAUSES_SHOWN = 5  # a breakdown is read, not scrolled: the rest are counted together
# widths a "worst stretch" may have, scenario seconds: readable, about 1/24 of the selection
STRETCHES = (1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


@dataclass(frozen=True)
class CauseCount:
    code: str
    why: str
    agents: tuple[str, ...]  # who said so (Warning agents), sorted
    count: int

    @property
    def label(self) -> str:
        """`503 Service Unavailable from meldkamer-a, meldkamer-b: police-ict unreachable`."""
        who = f" from {_few(self.agents)}" if self.agents else ""
        return f"{self.code}{who}{': ' + self.why if self.why else ''}"


@dataclass(frozen=True)
class FaultAt:
    fault: str
    targets: tuple[str, ...]
    count: int  # failing samples it was active at
    share: float  # of all the selection's samples it was active at (how often it is on at all)


@dataclass(frozen=True)
class Stretch:
    start: float  # scenario seconds
    end: float
    bad: int  # failing samples in it
    samples: int  # all samples in it


@dataclass(frozen=True)
class Why:
    what: str  # the failing samples in words: "failed requests", "calls slower than 500ms"
    bad: int
    samples: int
    causes: tuple[CauseCount, ...]
    other_causes: int  # failing samples of the causes not shown
    faults: tuple[FaultAt, ...]
    unfaulted: int  # failing samples no fault was active at
    first: float  # scenario time of the first failing sample
    worst: Stretch | None
    regions: tuple[str, ...] = ()  # the failing regions looked at


@dataclass(frozen=True)
class _Bad:
    request: Request
    cause: Cause


def explain(outcome: Outcome, view: JournalView) -> Why | None:
    """Why `outcome` failed; None when it passed or there is no failing sample to show (no
    requests at all, a problem such as incidents still buffered: its detail says so)."""
    if outcome.passed:
        return None
    check = outcome.check
    regions = tuple(r.region for r in outcome.regions if not r.passed)
    selections = [
        view.select(traffic_of(check), region, check.window)
        for region in (regions or (check.region,))
    ]
    requests = sorted((r for s in selections for r in s.requests), key=lambda r: r.t)
    what, bad = _failing(check, requests, view)
    if not bad:
        return None
    bad.sort(key=lambda b: b.request.t)
    causes = _causes(bad)
    shown = causes[:CAUSES_SHOWN]
    faults, unfaulted = _faults(bad, requests, view)
    return Why(
        what,
        len(bad),
        len(requests),
        tuple(shown),
        sum(c.count for c in causes[CAUSES_SHOWN:]),
        faults,
        unfaulted,
        bad[0].request.t,
        _gap(selections, check.metric == "max_scenario_gap")
        if check.metric in ("max_gap", "max_scenario_gap")
        else _worst(check, requests, bad, view),
        regions,
    )


def _failing(
    check: Check, requests: Sequence[Request], view: JournalView
) -> tuple[str, list[_Bad]]:
    """The failing samples of a metric, in words, each with its cause."""
    if check.metric == "latency" and check.op in ("<=", "<"):
        limit = format_duration(check.threshold)
        slow = [r for r in requests if r.ok and not check.holds(r.latency)]
        return f"successes slower than {limit}", [
            _Bad(r, Cause(f"slower than {limit}", agent=r.answered_by)) for r in slow
        ]
    if check.metric == "via_ratio":
        other = [r for r in requests if r.ok and r.via != check.via]
        return f"dispatches not via {check.via}", [
            _Bad(r, Cause(f"via {r.via or 'unknown'}")) for r in other
        ]
    if check.metric == "incidents_reconciled":
        return "answered calls without exactly one incident", _unreconciled(requests, view)
    return "failed requests", [_Bad(r, cause_of(r.error)) for r in requests if not r.ok]


def _unreconciled(requests: Sequence[Request], view: JournalView) -> list[_Bad]:
    if view.incidents is None:
        return []
    counts, seen, bad = view.incidents.counts, set(), []
    for r in requests:
        if r.ok and r.call_id and r.call_id not in seen:
            seen.add(r.call_id)
            n = counts.get(r.call_id, 0)
            if n != 1:
                code = "incident lost" if n == 0 else f"incident registered {n} times"
                bad.append(_Bad(r, Cause(code, agent=r.answered_by)))
    return bad


def _causes(bad: Sequence[_Bad]) -> list[CauseCount]:
    counts = Counter(b.cause.key for b in bad)
    agents: dict[tuple[str, str], set[str]] = {}
    for b in bad:
        if b.cause.agent:
            agents.setdefault(b.cause.key, set()).add(b.cause.agent)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        CauseCount(code, why, tuple(sorted(agents.get((code, why), ()))), n)
        for (code, why), n in ranked
    ]


class _Active:
    """When one fault was active: its spans merged, so a lookup is a bisection."""

    def __init__(self, spans: Sequence[tuple[float, float]]) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []
        for start, end in sorted(spans):
            if self.ends and start <= self.ends[-1]:
                self.ends[-1] = max(self.ends[-1], end)
            else:
                self.starts.append(start)
                self.ends.append(end)

    def during(self, start: float, end: float) -> bool:
        i = bisect.bisect_right(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


def _faults(
    bad: Sequence[_Bad], requests: Sequence[Request], view: JournalView
) -> tuple[tuple[FaultAt, ...], int]:
    """Each fault active at some failing sample (while the request was under way), with how
    many; and how many failing samples no fault was active at."""
    spans = fault_spans(view.transitions, view.end_t)
    names = sorted({s.fault for s in spans})
    active = {n: _Active([(s.start, s.end) for s in spans if s.fault == n]) for n in names}
    targets = {n: tuple(sorted({s.target for s in spans if s.fault == n})) for n in names}

    def under_way(r: Request) -> tuple[float, float]:
        return r.t, max(r.t, view.scenario_at(r.wall + r.latency))

    at_bad = {n: sum(active[n].during(*under_way(b.request)) for b in bad) for n in names}
    unfaulted = sum(not any(active[n].during(*under_way(b.request)) for n in names) for b in bad)
    rows = [
        FaultAt(
            n,
            targets[n],
            at_bad[n],
            sum(active[n].during(*under_way(r)) for r in requests) / max(len(requests), 1),
        )
        for n in names
        if at_bad[n]
    ]
    return tuple(sorted(rows, key=lambda f: (-f.count, f.fault))), unfaulted


def stretch_width(span: float) -> float:
    """A readable width for the worst stretch: the smallest step of at least span / 24."""
    wanted = span / 24
    return float(next((s for s in STRETCHES if s >= wanted), STRETCHES[-1]))


def _worst(
    check: Check, requests: Sequence[Request], bad: Sequence[_Bad], view: JournalView
) -> Stretch:
    """The stretch of scenario time (starting at a failing sample) holding the most of them."""
    times = [b.request.t for b in bad]
    window = check.window
    width = stretch_width(window.end - window.start if window else max(view.end_t, 1.0))
    best, best_count = times[0], 0
    for i, t in enumerate(times):
        count = bisect.bisect_left(times, t + width) - i
        if count > best_count:
            best, best_count = t, count
    all_times = [r.t for r in requests]
    samples = bisect.bisect_left(all_times, best + width) - bisect.bisect_left(all_times, best)
    return Stretch(best, best + width, best_count, samples)


def _gap(selections: Sequence[Selection], scenario: bool) -> Stretch:
    """The longest stretch without a success in any one selection, over the selection's
    window and on the metric's axis (wall time for max_gap, scenario time for
    max_scenario_gap), shown in scenario time."""
    gaps = []
    for sel in selections:
        at: Callable[[Request], float] = attrgetter("t" if scenario else "wall")
        start, end = (sel.start_t, sel.end_t) if scenario else (sel.start_wall, sel.end_wall)
        times = sorted(min(max(at(r), start), end) for r in sel.requests if r.ok)
        lo, hi = max(pairwise([start, *times, end]), key=lambda p: p[1] - p[0])
        gaps.append((hi - lo, lo, hi, sel, at))
    _, lo, hi, sel, at = max(gaps, key=lambda g: g[0])
    inside = [r for r in sel.requests if lo <= at(r) <= hi]
    bad = sum(1 for r in inside if not r.ok)
    if scenario:
        return Stretch(lo, hi, bad, len(inside))
    return Stretch(sel.scenario_at(lo), sel.scenario_at(hi), bad, len(inside))


def _few(names: Sequence[str], shown: int = 3) -> str:
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more" if more > 0 else "")


def when(view: JournalView, t: float) -> str:
    """A moment of scenario time as the scenario's date: `15 Sep 2020 08:03:12`."""
    return f"{view.date_at(t):%d %b %Y %H:%M:%S}"


def stretch_text(view: JournalView, stretch: Stretch) -> str:
    """`15 Sep 10:00–12:00`; to the second when the stretch is shorter than an hour."""
    if stretch.end - stretch.start >= 3600:
        return readable.window(view, stretch.start, stretch.end)
    a, b = view.date_at(stretch.start), view.date_at(stretch.end)
    return (
        f"{a:%d %b %H:%M:%S}–{b:%H:%M:%S}"
        if a.date() == b.date()
        else f"{a:%d %b %H:%M:%S} – {b:%d %b %H:%M:%S}"
    )


def headline(why: Why, view: JournalView) -> str:
    """The explanation in one line: the top cause, the top fault, the first and worst moment."""
    parts = []
    if why.causes:
        top = why.causes[0]
        parts.append(f"{top.label} ({top.count} of {why.bad} {why.what})")
    if why.faults:
        f = why.faults[0]
        parts.append(f"{f.fault} active at {f.count} of {why.bad}")
    elif why.bad:
        parts.append("no fault active")
    parts.append(f"first {when(view, why.first)}")
    if why.worst is not None:
        parts.append(f"worst {stretch_text(view, why.worst)}")
    return " · ".join(parts)
