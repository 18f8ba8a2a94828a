"""The timeline as inline SVG: fault windows per target, success ratio and latency per traffic
class, over scenario time shown as dates.

matplotlib is imported here only, when a report is drawn (it takes a while to import), and
drawn on a bare Figure with the SVG canvas: no pyplot, no GUI backend, no global state.
Text stays text in the SVG (svg.fonttype none) so it is crisp, searchable and small.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, cast

import numpy as np

from harness.model.traffic import INCIDENT_TRAFFIC
from harness.report.timeline import Timeline

TRAFFIC_COLOURS = ["#1f5fa8", "#d9822b", "#2e8540", "#8e44ad", "#c0392b", "#16a085", "#7f8c8d"]
FAULT_COLOURS = ["#c0392b", "#e67e22", "#8e44ad", "#b7950b", "#2471a3", "#17a589", "#6e2c00"]
HALT_COLOUR = "#b00020"
DRIFT_COLOUR = "#d50000"
PROTECTED = INCIDENT_TRAFFIC  # the 112 calls: the path the harness exists to protect
INK, GRID, MUTED = "#1d2430", "#e3e7ee", "#6b7585"
STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "dispatch-chaos",  # stable element ids: same journal, same SVG
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans", "Helvetica", "Arial"],
    "font.size": 9,
    "axes.edgecolor": "#c4cad4",
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titlecolor": INK,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "legend.frameon": False,
    "legend.fontsize": 8,
}


def timeline_svg(timeline: Timeline) -> str:
    import matplotlib as mpl

    with mpl.rc_context(cast(Any, STYLE)):
        figure = _draw(timeline)
        out = io.StringIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _inline(out.getvalue())


def _draw(tl: Timeline) -> Any:
    """Three panels over one time axis: fault windows, success ratio, latency."""
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    targets = sorted({s.target for s in tl.faults})
    heights = [0.5 + 0.24 * max(len(targets), 1), 2.3, 2.3]
    layout = ConstrainedLayoutEngine(h_pad=0.08, hspace=0.04)
    figure = Figure(figsize=(12.5, sum(heights) + 0.9), layout=layout)
    faults_ax, ratio_ax, latency_ax = figure.subplots(
        3, 1, sharex=True, gridspec_kw={"height_ratios": heights}
    )
    origin = mdates.date2num(tl.clock_start)  # type: ignore[no-untyped-call]

    def x(t: Any) -> Any:  # scenario seconds -> matplotlib dates
        return origin + np.asarray(t) / 86400.0

    _fault_panel(faults_ax, tl, targets, x)
    _ratio_panel(ratio_ax, tl, x)
    _latency_panel(latency_ax, tl, x)
    for panel, ax in {"faults": faults_ax, "ratio": ratio_ax, "latency": latency_ax}.items():
        _frame(ax, panel, tl, x)
    _label_end_and_halts(faults_ax, tl, x)
    _date_axis(latency_ax, tl)
    return figure


def _frame(ax: Any, panel: str, tl: Timeline, x: Any) -> None:
    """The whole scenario on the x axis; what never ran greyed out; halts as dashed lines."""
    ax.set_xlim(x(0.0), x(tl.span))
    ax.grid(axis="x", color=GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if tl.end_t < tl.span:  # halted or interrupted: the rest of the scenario never ran
        ax.axvspan(x(tl.end_t), x(tl.span), color="#eef0f3", lw=0)
    for t, name in tl.halts:
        ax.axvline(x(t), color=HALT_COLOUR, lw=1.4, ls=(0, (4, 2)), gid=svg_id("halt", panel, name))


def _label_end_and_halts(ax: Any, tl: Timeline, x: Any) -> None:
    """In the top panel only: `not reached` over the part never run, each halt's name."""
    if tl.end_t < tl.span:
        ax.text(
            x((tl.end_t + tl.span) / 2),
            0.5,
            "not reached",
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="center",
            color=MUTED,
            fontsize=9,
            style="italic",
        )
    for t, name in tl.halts:
        ax.annotate(
            f"halt: {name}",
            (x(t), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(4, 2),
            textcoords="offset points",
            color=HALT_COLOUR,
            fontsize=8,
            fontweight="bold",
            va="bottom",
        )


def _date_axis(ax: Any, tl: Timeline) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator(minticks=6, maxticks=14)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    ax.set_xlabel(_clock_label(tl), color=MUTED)


def _fault_panel(ax: Any, tl: Timeline, targets: list[str], x: Any) -> None:
    from matplotlib.patches import Patch

    ax.set_title("Fault windows (per link or service)")
    faults = sorted({s.fault for s in tl.faults})
    colour = {f: FAULT_COLOURS[i % len(FAULT_COLOURS)] for i, f in enumerate(faults)}
    row = {target: i for i, target in enumerate(targets)}
    bars: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for span in tl.faults:
        bars.setdefault((span.target, span.fault), []).append(
            (x(span.start), (span.end - span.start) / 86400.0)
        )
    for (target, fault), xranges in bars.items():
        ax.broken_barh(
            xranges,
            (row[target] - 0.36, 0.72),
            facecolors=colour[fault],
            alpha=0.85,
            lw=0,
            gid=svg_id("fault", fault, target),  # findable in the SVG: one group per row
        )
    for tr in tl.failed_transitions:
        if tr.target in row:
            ax.plot(x(tr.t), row[tr.target], marker="x", color=INK, ms=5, mew=1.2)
    _drift_marks(ax, tl, row, x)
    ax.set_ylim(len(targets) - 0.5 if targets else 0.5, -0.5)
    ax.set_yticks(range(len(targets)), [_short(t) for t in targets], fontsize=7.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    if not targets:
        ax.set_yticks([])
        ax.text(
            0.5,
            0.5,
            "no fault transitions in the journal",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=MUTED,
        )
    handles: list[Any] = [Patch(color=colour[f], label=f) for f in faults]
    from matplotlib.lines import Line2D

    if tl.failed_transitions:
        handles.append(Line2D([], [], marker="x", color=INK, lw=0, label="transition failed"))
    if tl.drifts:
        label = "fault missing (drift)"
        handles.append(Line2D([], [], marker="v", color=DRIFT_COLOUR, lw=0, label=label))
    if handles:
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.005, 1.0),
            title="fault",
            title_fontsize=8,
            alignment="left",
        )


def _drift_marks(ax: Any, tl: Timeline, row: dict[str, int], x: Any) -> None:
    """Where a fault was found missing: a red hatch over its missing window and a marker
    above it (the window is often too short to see at the scale of the run)."""
    for mark in tl.drifts:
        if mark.target not in row:
            continue
        y = row[mark.target]
        gid = svg_id("drift", mark.fault, mark.target)
        ax.broken_barh(
            [(x(mark.start), (mark.end - mark.start) / 86400.0)],
            (y - 0.36, 0.72),
            facecolors="white",  # cut out of the fault bar: the fault was not there
            edgecolors=DRIFT_COLOUR,
            hatch="////",
            lw=0.8,
            gid=gid,
        )
        ax.plot(x(mark.end), y - 0.42, marker="v", color=DRIFT_COLOUR, ms=5, lw=0, gid=gid)


def _shade_faults(ax: Any, tl: Timeline, x: Any) -> None:
    """Any fault active: a faint band behind the load metrics, to line effects up with causes."""
    for start, end in _union((s.start, s.end) for s in tl.faults):
        ax.axvspan(x(start), x(end), color="#c0392b", alpha=0.07, lw=0)


def _ratio_panel(ax: Any, tl: Timeline, x: Any) -> None:
    ax.set_title("Success ratio per traffic class")
    _shade_faults(ax, tl, x)
    for i, s in enumerate(tl.series):
        protected = s.traffic == PROTECTED  # on top and bolder: lines overlap at 100 %
        ax.plot(
            x(s.centers),
            s.success * 100,
            drawstyle="steps-mid",
            lw=2.0 if protected else 1.3,
            zorder=3 if protected else 2,
            color=TRAFFIC_COLOURS[i % len(TRAFFIC_COLOURS)],
            label=s.traffic,
        )
    ax.set_ylim(-3, 103)
    ax.set_yticks([0, 25, 50, 75, 100], ["0 %", "25 %", "50 %", "75 %", "100 %"])
    ax.grid(axis="y", color=GRID, linewidth=0.8)
    if tl.series:
        ax.legend(
            loc="upper left",
            bbox_to_anchor=(1.005, 1.0),
            title="traffic",
            title_fontsize=8,
            alignment="left",
        )
    else:
        _empty(ax, "no requests in the journal")


def _latency_panel(ax: Any, tl: Timeline, x: Any) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    ax.set_title("Latency of successful requests (p50 solid, p95 dashed)")
    _shade_faults(ax, tl, x)
    drawn = False
    for i, s in enumerate(tl.series):
        colour = TRAFFIC_COLOURS[i % len(TRAFFIC_COLOURS)]
        for values, style in ((s.p50, "-"), (s.p95, "--")):
            if np.isfinite(values).any():
                ax.plot(
                    x(s.centers),
                    np.maximum(values, 1e-4),
                    drawstyle="steps-mid",
                    lw=1.2,
                    ls=style,
                    color=colour,
                )
                drawn = True
    if drawn:
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _ms(v)))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: ""))
        ax.grid(axis="y", color=GRID, linewidth=0.8)
        ax.legend(
            handles=[
                Line2D([], [], color=MUTED, ls="-", label="p50"),
                Line2D([], [], color=MUTED, ls="--", label="p95"),
                *(
                    [Line2D([], [], color="#c0392b", alpha=0.25, lw=6, label="any fault active")]
                    if tl.faults
                    else []
                ),
            ],
            loc="upper left",
            bbox_to_anchor=(1.005, 1.0),
        )
    else:
        ax.set_yticks([])
        _empty(ax, "no successful requests")


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color=MUTED)


def svg_id(*parts: str) -> str:
    """An element id for the SVG: XML name characters only, e.g. fault-flap-gms--police-ict."""
    return "-".join(re.sub(r"[^A-Za-z0-9_.-]+", "-", p) for p in parts)


def _ms(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:g} s"
    return f"{seconds * 1000:g} ms"


def _short(target: str, limit: int = 44) -> str:
    """Long link names (meldkamer-zeeland-west-brabant->radio-console-...) keep both ends."""
    if len(target) <= limit:
        return target
    keep = (limit - 1) // 2
    return f"{target[:keep]}…{target[-keep:]}"


def _clock_label(tl: Timeline) -> str:
    end = tl.clock_start + timedelta(seconds=tl.span)
    return f"scenario time ({tl.clock_start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M})"


def _union(spans: Iterator[tuple[float, float]] | Any) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _inline(svg: str) -> str:
    """Ready to sit inside HTML: no XML prolog, doctype or RDF metadata, and no fixed size
    (the viewBox stays, so CSS scales it)."""
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.DOTALL)
    for attribute in ("width", "height"):
        svg = re.sub(rf'(<svg[^>]*?)\s{attribute}="[^"]*"', r"\1", svg, count=1)
    return svg.replace("<svg", '<svg class="timeline" role="img" aria-label="run timeline"', 1)
