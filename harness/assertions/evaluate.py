"""Evaluate assertions against a journal: one Outcome per check.

Metrics are dispatched by name through a small registry (in the spirit of chaostoolkit's
tolerance dispatch): each entry turns a check and a selection of requests into a Measure, the
observed value plus what the check needs to judge it (how many samples, any problem that fails
it whatever the value). `per: region` evaluates every region of the run on its own: every
region the class was loaded in (the run-start's plan), and any other its requests name; the
check holds only when it holds in each, a loaded region without a single request fails it,
and the outcome reports the worst region.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from harness.assertions import metrics
from harness.assertions.blast_radius import UNEXPECTED, blast_matrix, unexpected_damage
from harness.assertions.view import JournalView, Selection
from harness.journal import Event
from harness.model.scenario import Check
from harness.model.traffic import INCIDENT_TRAFFIC


@dataclass(frozen=True)
class Measure:
    observed: float | None
    samples: int  # what min_requests counts
    what: str = "requests"  # the samples, in words, for messages
    problem: str = ""  # fails the check whatever the value
    note: str = ""  # extra detail for the report
    counted: bool = True  # False: min_requests does not apply (the `requests` metric)


Metric = Callable[[Check, Selection], Measure]
METRICS: dict[str, Metric] = {}


def metric(name: str) -> Callable[[Metric], Metric]:
    def register(fn: Metric) -> Metric:
        METRICS[name] = fn
        return fn

    return register


# Metrics over the whole run (every fault x traffic), not one selection of requests.
RunMetric = Callable[[Check, JournalView], Measure]
RUN_METRICS: dict[str, RunMetric] = {}


def run_metric(name: str) -> Callable[[RunMetric], RunMetric]:
    def register(fn: RunMetric) -> RunMetric:
        RUN_METRICS[name] = fn
        METRICS[name] = _whole_run_only  # known by name; a selection alone cannot judge it
        return fn

    return register


def _whole_run_only(check: Check, sel: Selection) -> Measure:
    return Measure(None, 0, problem=f"{check.metric} is judged over the whole journal")


@run_metric("unexpected_damage")
def _unexpected_damage(check: Check, view: JournalView) -> Measure:
    cells = blast_matrix(view)
    if cells is None:
        problem = "the journal's run-start carries no blast-radius prediction"
        return Measure(None, 0, "cells", problem)
    found = [c.label for c in cells if c.status == UNEXPECTED]
    note = f"unexpected damage: {', '.join(found)}" if found else ""
    return Measure(float(unexpected_damage(cells)), len(cells), "cells", note=note, counted=False)


@metric("success_ratio")
def _success_ratio(check: Check, sel: Selection) -> Measure:
    return Measure(metrics.success_ratio(sel.requests), len(sel.requests))


@metric("latency")
def _latency(check: Check, sel: Selection) -> Measure:
    ok = sum(1 for r in sel.requests if r.ok)
    p = check.percentile if check.percentile is not None else 50.0
    return Measure(metrics.latency(sel.requests, p), ok, "successful requests")


@metric("max_gap")
def _max_gap(check: Check, sel: Selection) -> Measure:
    return _gap(sel, [r.wall for r in sel.requests if r.ok], sel.start_wall, sel.end_wall)


@metric("max_scenario_gap")
def _max_scenario_gap(check: Check, sel: Selection) -> Measure:
    return _gap(sel, [r.t for r in sel.requests if r.ok], sel.start_t, sel.end_t)


def _gap(sel: Selection, successes: list[float], start: float, end: float) -> Measure:
    """The longest gap on one time axis: wall (max_gap) or scenario time (max_scenario_gap)."""
    if not sel.requests:
        return Measure(None, 0)
    return Measure(metrics.max_gap(successes, start, end), len(sel.requests))


@metric("incidents_reconciled")
def _incidents_reconciled(check: Check, sel: Selection) -> Measure:
    call_ids = {r.call_id for r in sel.requests if r.ok and r.call_id}
    what = "answered calls"
    if sel.incidents is None:
        problem = "the journal has no incidents reconciliation (GMS was not read after the run)"
        return Measure(None, len(call_ids), what, problem)
    counts = sel.incidents.counts
    lost = sum(1 for c in call_ids if counts.get(c, 0) == 0)
    doubled = sum(1 for c in call_ids if counts.get(c, 0) > 1)
    note = f"{lost} lost, {doubled} duplicated" if lost or doubled else ""
    pending = sel.incidents.pending
    problem = f"{pending} incidents still buffered in meldkamers at the end" if pending else ""
    observed = metrics.incidents_reconciled(call_ids, sel.incidents)
    return Measure(observed, len(call_ids), what, problem, note)


@metric("via_ratio")
def _via_ratio(check: Check, sel: Selection) -> Measure:
    ok = sum(1 for r in sel.requests if r.ok)
    return Measure(metrics.via_ratio(sel.requests, check.via or ""), ok, "successful dispatches")


@metric("outage_spans")
def _outage_spans(check: Check, sel: Selection) -> Measure:
    return Measure(metrics.outage_spans(sel.requests, check.via), len(sel.requests))


@metric("answered_by_ratio")
def _answered_by_ratio(check: Check, sel: Selection) -> Measure:
    what = "answered calls naming who answered"
    answered = [r for r in sel.requests if r.ok]
    if not sel.service_regions:
        problem = "the journal's run-start does not say which region each service is in"
        return Measure(None, len(answered), what, problem)
    told = sum(1 for r in answered if metrics.answered_by_own(r, sel.service_regions) is not None)
    unnamed = len(answered) - told
    note = f"{unnamed} answered calls did not name who answered" if unnamed else ""
    observed = metrics.answered_by_ratio(answered, check.answered_by or "", sel.service_regions)
    return Measure(observed, told, what, note=note)


@metric("requests")
def _requests(check: Check, sel: Selection) -> Measure:
    n = metrics.request_count(sel.requests)
    return Measure(float(n), n, counted=False)


@dataclass(frozen=True)
class RegionOutcome:
    region: str
    observed: float | None
    samples: int
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Outcome:
    """A check's result; for `per: region` the worst region's value, and every region's."""

    check: Check
    observed: float | None
    samples: int
    passed: bool
    detail: str = ""
    regions: tuple[RegionOutcome, ...] = ()
    worst: str | None = None  # the region `observed` comes from

    @property
    def name(self) -> str:
        return self.check.name

    @property
    def metric(self) -> str:
        return self.check.metric

    @property
    def op(self) -> str:
        return self.check.op

    @property
    def threshold(self) -> float:
        return self.check.threshold


def evaluate(checks: Sequence[Check], events: Iterable[Event] | JournalView) -> list[Outcome]:
    view = events if isinstance(events, JournalView) else JournalView(events)
    return [evaluate_one(check, view) for check in checks]


def evaluate_one(check: Check, view: JournalView) -> Outcome:
    if check.metric not in METRICS:
        return Outcome(check, None, 0, False, f"unknown metric '{check.metric}'")
    if check.per == "region":
        return _per_region(check, view)
    observed, samples, passed, detail = _judged(check, view, check.region)
    return Outcome(check, observed, samples, passed, detail)


def traffic_of(check: Check) -> str | None:
    if check.traffic is None and check.metric == "incidents_reconciled":
        return INCIDENT_TRAFFIC  # the calls GMS's incidents are reconciled against
    return check.traffic


def _judged(
    check: Check, view: JournalView, region: str | None
) -> tuple[float | None, int, bool, str]:
    if check.metric in RUN_METRICS:
        measure = RUN_METRICS[check.metric](check, view)
    else:
        measure = METRICS[check.metric](check, view.select(traffic_of(check), region, check.window))
    passed, detail = judge(check, measure, _where(check, view, region))
    return measure.observed, measure.samples, passed, detail


def judge(check: Check, m: Measure, where: str = "") -> tuple[bool, str]:
    """Whether a measure satisfies the check, and why not (or a note) in words."""
    where = f" {where}" if where else ""
    if m.problem:
        return False, m.problem
    if m.observed is None:
        if check.min_requests == 0:
            return True, f"no {m.what}{where} (allowed: min_requests is 0)"
        return False, f"no {m.what}{where}"
    if m.counted and m.samples < check.min_requests:
        return False, f"only {m.samples} {m.what}{where}; at least {check.min_requests} needed"
    return check.holds(m.observed), m.note


def _where(check: Check, view: JournalView, region: str | None) -> str:
    parts = []
    if traffic := traffic_of(check):
        parts.append(f"of {traffic}")
    if region:
        parts.append(f"in {region}")
    if check.window is not None:
        start, end = view.date_at(check.window.start), view.date_at(check.window.end)
        parts.append(f"from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}")
    return " ".join(parts)


def _per_region(check: Check, view: JournalView) -> Outcome:
    traffic = traffic_of(check)
    regions = [check.region] if check.region else view.regions(traffic)
    if not regions:
        passed = check.min_requests == 0
        return Outcome(
            check, None, 0, passed, f"no requests {_where(check, view, None)} name a region"
        )
    seen = set(view.seen_regions(traffic))
    results = []
    for region in regions:
        if region not in seen and check.metric != "requests":
            # loaded there, yet not one request all run: the load never reached it
            what = f" of {traffic}" if traffic else ""
            detail = f"no requests{what} at all in region {region}"
            results.append(RegionOutcome(region, None, 0, False, detail))
            continue
        observed, samples, passed, detail = _judged(check, view, region)
        results.append(RegionOutcome(region, observed, samples, passed, detail))
    worst = max(results, key=lambda r: (not r.passed, badness(check, r.observed)))
    failing = [r.region for r in results if not r.passed]
    if failing:
        detail = f"fails in {len(failing)} of {len(results)} regions: {', '.join(failing)}"
    else:
        detail = f"holds in all {len(results)} regions"
    return Outcome(
        check, worst.observed, worst.samples, not failing, detail, tuple(results), worst.region
    )


def badness(check: Check, observed: float | None) -> float:
    """Larger is further on the wrong side of the threshold; no observation is the worst."""
    if observed is None:
        return math.inf
    if check.op in (">=", ">"):
        return -observed
    if check.op in ("<=", "<"):
        return observed
    return abs(observed - check.threshold)
