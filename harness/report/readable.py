"""Values as an engineer reads them: ratios as percentages, times in ms or s, counts whole."""

from __future__ import annotations

from harness.assertions.evaluate import Outcome, traffic_of
from harness.assertions.view import JournalView
from harness.model.duration import format_duration
from harness.model.scenario import Check

RATIOS = ("success_ratio", "incidents_reconciled", "via_ratio", "answered_by_ratio")
TIMES = ("latency", "max_gap", "max_scenario_gap")
OP_SIGNS = {">=": "≥", "<=": "≤", "==": "=", "<": "<", ">": ">"}
MISSING = "—"


def percent(ratio: float) -> str:
    """Two decimals, more when two would round a near-miss to 100 % or a trace to 0 %."""
    if ratio in (0.0, 1.0):
        return f"{ratio * 100:.0f} %"
    for digits in (2, 3, 4, 5):
        text = f"{ratio * 100:.{digits}f}"
        if 0 < float(text) < 100:
            break
    return f"{text} %"


def seconds(value: float) -> str:
    if value < 1:
        return f"{value * 1000:.3g} ms"
    if value < 120:
        return f"{value:.2f} s"
    return f"{value / 60:.1f} min"


def value(metric: str, observed: float | None) -> str:
    if observed is None:
        return MISSING
    if metric in RATIOS:
        return percent(observed)
    if metric in TIMES:
        return seconds(observed)
    return f"{observed:g}"


def threshold(metric: str, op: str, limit: float) -> str:
    """Thresholds as written, compact: `≥ 99.9 %`, `≤ 2s`, `≤ 500ms`."""
    if metric in RATIOS:
        shown = f"{limit * 100:.6g} %"
    elif metric in TIMES:
        shown = format_duration(limit)
    else:
        shown = f"{limit:g}"
    return f"{OP_SIGNS.get(op, op)} {shown}"


def selection(check: Check, view: JournalView) -> str:
    """What a check looks at, in a few words: traffic, region(s), window of scenario time."""
    parts = [traffic_of(check) or ""]
    if check.metric == "latency" and check.percentile is not None:
        parts.insert(0, f"p{check.percentile:g}")
    if check.metric == "via_ratio" and check.via:
        parts.append(f"via {check.via}")
    if check.metric == "answered_by_ratio" and check.answered_by:
        parts.append(f"answered by {check.answered_by} region")
    if check.region:
        parts.append(f"in {check.region}")
    elif check.per == "region":
        parts.append("per region")
    if check.window is not None:
        parts.append(window(view, check.window.start, check.window.end))
    if check.halt_window is not None:
        parts.append(f"over {seconds(check.halt_window)}")
    return " · ".join(p for p in parts if p)


def window(view: JournalView, start: float, end: float) -> str:
    a, b = view.date_at(start), view.date_at(end)
    if a.date() == b.date():
        return f"{a:%d %b %H:%M}–{b:%H:%M}"
    return f"{a:%d %b %H:%M} – {b:%d %b %H:%M}"


def duration(seconds: float) -> str:
    """A stretch of scenario time: `2 d 3 h`, `3 h 20 min`, `45 min`, `30 s`."""
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = [(days, "d"), (hours, "h"), (minutes, "min")]
    shown = [f"{n} {unit}" for n, unit in parts if n][:2]
    return " ".join(shown)


def worst(outcome: Outcome) -> str | None:
    """The worst region, when naming it says something (the regions do not all agree)."""
    if outcome.worst is None or len({r.observed for r in outcome.regions}) < 2:
        return None
    return outcome.worst
