"""report.html: one self-contained file (inline CSS and SVG, no scripts, no external URLs)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import jinja2

from harness.assertions import metrics
from harness.assertions.blast_radius import blast_matrix
from harness.assertions.drift import tally
from harness.assertions.evaluate import Outcome
from harness.assertions.verdict import Verdict
from harness.assertions.view import JournalView
from harness.journal import Transition
from harness.model.duration import format_duration
from harness.report import blast, readable
from harness.report.compression import stretches
from harness.report.meta import ScenarioMeta
from harness.report.plot import timeline_svg
from harness.report.summary import utc
from harness.report.timeline import Timeline, build_timeline
from harness.report.traffic import traffic_totals
from harness.report.why import Why, explain, stretch_text, when

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("harness.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def report_html(
    meta: ScenarioMeta,
    view: JournalView,
    outcomes: Sequence[Outcome],
    verdict: Verdict,
    timeline: Timeline | None = None,
) -> str:
    timeline = timeline or build_timeline(view)
    return _env.get_template("report.html.j2").render(
        meta=meta,
        sources=meta.all_sources(),
        assumptions=meta.all_assumptions(),
        verdict=verdict,
        facts=_facts(meta, view),
        assertions=[_assertion(o, view) for o in outcomes],
        failed=sum(1 for o in outcomes if not o.passed),
        svg=timeline_svg(timeline),
        traffic=_traffic(view),
        faults=_faults(meta, view, timeline),
        drift=_drift(view),
        blast=blast.matrix(cells) if (cells := blast_matrix(view)) is not None else None,
        halts=[
            {
                "when": f"{view.date_at(h.t):%d %b %H:%M:%S}",
                "check": h.check,
                "observed": f"{h.observed:.4g}",
            }
            for h in view.halts
        ],
        generated=utc(datetime.now(UTC).timestamp()),
    )


def _facts(meta: ScenarioMeta, view: JournalView) -> list[tuple[str, str]]:
    start = view.start
    clock_end = view.date_at(view.span)
    facts = [
        ("scenario file", meta.file or "—"),
        ("seed", str(start.seed if start else meta.seed)),
        ("backend", start.backend if start else "—"),
        (
            "scenario clock",
            f"{view.clock_start:%Y-%m-%d %H:%M} → {clock_end:%Y-%m-%d %H:%M}"
            + (f", replayed in {format_duration(start.replay)}" if start else ""),
        ),
        ("wall time", f"{utc(view.start_wall)} → {utc(view.end_wall)}"),
        ("duration", readable.seconds(view.end_wall - view.start_wall)),
        ("requests", f"{len(view.requests):,}"),
    ]
    if view.end_t < view.span - 1e-6:
        facts.append(("scenario reached", f"{view.date_at(view.end_t):%Y-%m-%d %H:%M}"))
    if start:
        facts += [("compression", s.text()) for s in stretches(start, view.clock_start)]
    return facts


def _assertion(o: Outcome, view: JournalView) -> dict[str, Any]:
    return {
        "passed": o.passed,
        "name": o.name,
        "metric": o.metric,
        "selection": readable.selection(o.check, view),
        "observed": readable.value(o.metric, o.observed),
        "threshold": readable.threshold(o.metric, o.op, o.threshold),
        "samples": f"{o.samples:,}",
        "detail": o.detail,
        "worst": readable.worst(o),
        "source": o.check.source,
        "assumption": o.check.assumption,
        "why": _why(explain(o, view), view),
        "regions": [
            {
                "region": r.region,
                "passed": r.passed,
                "observed": readable.value(o.metric, r.observed),
                "samples": f"{r.samples:,}",
                "detail": r.detail,
            }
            for r in o.regions
        ],
    }


def _why(w: Why | None, view: JournalView) -> dict[str, Any] | None:
    """Why a failed assertion failed, in the report's words (report/why.py)."""
    if w is None:
        return None
    worst = w.worst
    return {
        "what": w.what,
        "of": f"{w.bad:,} of {w.samples:,} samples"
        + (f" in {', '.join(w.regions)}" if w.regions else ""),
        "causes": [(c.label, f"{c.count:,}", readable.percent(c.count / w.bad)) for c in w.causes],
        "other": f"{w.other_causes:,}" if w.other_causes else None,
        "faults": [
            (
                f.fault,
                _targets(f.targets),
                f"{f.count:,} of {w.bad:,}",
                readable.percent(f.share),
            )
            for f in w.faults
        ],
        "unfaulted": f"{w.unfaulted:,}" if w.unfaulted else None,
        "first": when(view, w.first),
        "worst": None
        if worst is None
        else {
            "window": stretch_text(view, worst),
            "count": f"{worst.bad:,} of {worst.samples:,}",
        },
    }


def _targets(targets: Sequence[str], shown: int = 4) -> str:
    more = len(targets) - shown
    return ", ".join(targets[:shown]) + (f" and {more} more" if more > 0 else "")


def _traffic(view: JournalView) -> list[dict[str, str]]:
    rows = []
    for t in traffic_totals(view):
        ratio = t.success_ratio
        rows.append(
            {
                "traffic": t.traffic,
                "requests": f"{t.requests:,}",
                "failed": f"{t.requests - t.ok:,}",
                "success": readable.percent(ratio) if ratio is not None else readable.MISSING,
                "p50": readable.value("latency", t.p50),
                "p95": readable.value("latency", t.p95),
                "p99": readable.value("latency", t.p99),
            }
        )
    return rows


def _faults(meta: ScenarioMeta, view: JournalView, timeline: Timeline) -> list[dict[str, Any]]:
    notes = {n.name: n for n in meta.faults}
    drifted = {f.fault: f for f in tally(view.drifts).faults}
    names = sorted({t.fault for t in view.transitions} | set(notes) | set(drifted))
    rows = []
    for name in names:
        drift = drifted.get(name)
        spans = [s for s in timeline.faults if s.fault == name]
        transitions = [t for t in view.transitions if t.fault == name]
        note = notes.get(name)
        rows.append(
            {
                "name": name,
                "description": note.description if note else "",
                "source": note.source if note else None,
                "assumption": note.assumption if note else None,
                "targets": sorted({s.target for s in spans}),
                "windows": len(spans),
                "active": readable.duration(_union_length((s.start, s.end) for s in spans)),
                "lag": _lag(transitions),
                "failed": sum(1 for t in transitions if not t.ok),
                "drift": (
                    f"{drift.events}× · {readable.seconds(drift.missing)}"
                    if drift
                    else readable.MISSING
                ),
            }
        )
    return rows


DRIFT_ROWS = 50  # a fault someone keeps turning off must not bury the report


def _drift(view: JournalView) -> dict[str, Any] | None:
    """The drift paragraph: one line for the run, then each event (the first DRIFT_ROWS)."""
    if not view.drifts:
        return None
    rows = [
        {
            "when": f"{view.date_at(d.t):%d %b %H:%M:%S}",
            "fault": d.fault,
            "target": d.target,
            "expected": d.expected,
            "found": d.found,
            "done": d.done,
            "missing": readable.seconds(d.missing),
            "ok": d.ok,
        }
        for d in sorted(view.drifts, key=lambda d: d.wall)[:DRIFT_ROWS]
    ]
    return {"line": str(tally(view.drifts)), "rows": rows, "more": len(view.drifts) - len(rows)}


def _lag(transitions: list[Transition]) -> str:
    """Transition lag (scheduled -> applied, wall), p50 / p99: performance target P3."""
    applied = [t for t in transitions if t.ok]
    if not applied:
        return readable.MISSING
    lags = sorted(max(t.lag, 0.0) for t in applied)
    p50 = lags[metrics.nearest_rank(len(lags), 50)]
    p99 = lags[metrics.nearest_rank(len(lags), 99)]
    return f"{readable.seconds(p50)} / {readable.seconds(p99)}"


def _union_length(spans: Any) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total
