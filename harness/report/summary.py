"""summary.json: the machine-readable result of a run (the interface CI relies on; docs/scenarios.md).

Schema 1: scenario (name, file, description, sources, assumptions, faults), seed, verdict,
exit_code, reason, started/ended (UTC, ISO 8601), duration (wall seconds), clock, traffic,
halts, drift (applied faults found missing and healed: events, missing wall seconds with
overlaps counted once, failed re-applies, and the same per fault), and assertions: name, metric,
selection, op, threshold, observed, passed, samples, detail, worst_region, per-region
observations and, for a failed one, `why` (report/why.py: the causes among its failing samples,
the faults active at them, the first and worst moments; null when it passed or there is no
failing sample to show). Values are raw (ratios 0..1, seconds);
`display` holds the readable forms.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness.assertions.blast_radius import blast_matrix
from harness.assertions.drift import DriftTally, tally
from harness.assertions.evaluate import Outcome
from harness.assertions.verdict import Verdict
from harness.assertions.view import JournalView
from harness.report import blast, readable
from harness.report.compression import stretches
from harness.report.meta import ScenarioMeta
from harness.report.traffic import traffic_totals
from harness.report.why import Why, explain, headline

SCHEMA = 1


def utc(wall: float) -> str:
    return datetime.fromtimestamp(wall, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def summary(
    meta: ScenarioMeta, view: JournalView, outcomes: Sequence[Outcome], verdict: Verdict
) -> dict[str, Any]:
    start = view.start
    return {
        "schema": SCHEMA,
        "scenario": meta.to_json(),
        "seed": start.seed if start else meta.seed,
        "backend": start.backend if start else None,
        "verdict": verdict.status,
        "exit_code": verdict.exit_code,
        "reason": verdict.reason,
        "started": utc(view.start_wall),
        "ended": utc(view.end_wall),
        "duration": round(view.end_wall - view.start_wall, 3),
        "clock": {
            "start": view.clock_start.isoformat(),
            "span": view.span,
            "replay": start.replay if start else None,
            "reached": round(view.end_t, 3),
            "stretches": [s.to_json() for s in stretches(start, view.clock_start)] if start else [],
        },
        "traffic": {
            t.traffic: {
                "requests": t.requests,
                "ok": t.ok,
                "success_ratio": t.success_ratio,
                "latency_p50": t.p50,
                "latency_p95": t.p95,
                "latency_p99": t.p99,
            }
            for t in traffic_totals(view)
        },
        "halts": [
            {"check": h.check, "observed": h.observed, "t": h.t, "wall": h.wall} for h in view.halts
        ],
        "drift": drift(tally(view.drifts)),
        "assertions": [assertion(o, view) for o in outcomes],
        "blast_radius": blast.to_json(cells) if (cells := blast_matrix(view)) is not None else None,
    }


def drift(d: DriftTally) -> dict[str, Any]:
    return {
        "events": d.events,
        "missing": round(d.missing, 4),
        "failed": d.failed,
        "faults": {
            f.fault: {"events": f.events, "missing": round(f.missing, 4), "failed": f.failed}
            for f in d.faults
        },
    }


def assertion(o: Outcome, view: JournalView) -> dict[str, Any]:
    return {
        "name": o.name,
        "metric": o.metric,
        "selection": readable.selection(o.check, view),
        "op": o.op,
        "threshold": o.threshold,
        "observed": o.observed,
        "passed": o.passed,
        "samples": o.samples,
        "detail": o.detail,
        "worst_region": o.worst,
        "regions": [
            {
                "region": r.region,
                "observed": r.observed,
                "passed": r.passed,
                "samples": r.samples,
                "detail": r.detail,
            }
            for r in o.regions
        ],
        "why": why(explain(o, view), view),
        "display": {
            "observed": readable.value(o.metric, o.observed),
            "threshold": readable.threshold(o.metric, o.op, o.threshold),
        },
    }


def why(w: Why | None, view: JournalView) -> dict[str, Any] | None:
    if w is None:
        return None
    worst = w.worst
    return {
        "line": headline(w, view),
        "failing": w.what,
        "count": w.bad,
        "samples": w.samples,
        "regions": list(w.regions),
        "causes": [
            {
                "code": c.code,
                "why": c.why,
                "from": list(c.agents),
                "count": c.count,
                "label": c.label,
            }
            for c in w.causes
        ],
        "other_causes": w.other_causes,
        "faults": [
            {"fault": f.fault, "targets": list(f.targets), "count": f.count, "share": f.share}
            for f in w.faults
        ],
        "no_fault": w.unfaulted,
        "first": {"t": w.first, "at": view.date_at(w.first).isoformat()},
        "worst": None
        if worst is None
        else {
            "start": worst.start,
            "end": worst.end,
            "from": view.date_at(worst.start).isoformat(),
            "to": view.date_at(worst.end).isoformat(),
            "count": worst.bad,
            "samples": worst.samples,
        },
    }


def write_summary(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
