"""`python -m bench growth`: the growth table, its plots and the met/missed rows
(topology growth from bench/growth.py, report rendering from bench/journal_growth.py)."""

from __future__ import annotations

from pathlib import Path

from bench.growth import REGIONS, Size, growth_ratio, measure_all
from bench.journal_growth import SIZES, Render, render, summary_verdict
from bench.log import say
from bench.plot import bars
from bench.results import Section
from bench.table import Row, better_is_lower


def _linear_row(what: str, started: list[Size], costs: list[float]) -> Row:
    ratio = growth_ratio([s.size for s in started], costs)
    first, last = started[0], started[-1]
    return Row(
        "growth",
        f"{what}: growth vs services + links",
        f"{costs[-1] / costs[0]:.1f}x for {last.size / first.size:.1f}x "
        f"({first.regions} -> {last.regions} regions)",
        "<= linear (ratio <= 1)",
        better_is_lower(max(ratio, 1e-3), 1.0),
        f"growth ratio {ratio:.2f}",
    )


def _topology_table(sizes: list[Size]) -> str:
    lines = [
        "| regions | services | links | cold start (s) | RSS, summed (MiB) | lag p99 at 50/s (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        if s.start_s is None:
            lines.append(f"| {s.regions} | {s.services} | {s.links} | broke: {s.broke} | — | — |")
            continue
        lines.append(
            f"| {s.regions} | {s.services} | {s.links} | {s.start_s:.1f} | "
            f"{s.rss_mib or 0:.0f} | {s.lag_p99_ms or 0:.1f} |"
        )
    labels = [f"{s.regions} regions" for s in sizes]
    plots = [
        bars("services + links", labels, [float(s.size) for s in sizes], ""),
        bars("cold start", labels, [s.start_s for s in sizes], "s"),
        bars("RSS", labels, [s.rss_mib for s in sizes], "MiB"),
        bars("transition lag p99", labels, [s.lag_p99_ms for s in sizes], "ms"),
    ]
    return "\n".join(lines) + "\n\n```\n" + "\n\n".join(plots) + "\n```"


def topology_growth(work: Path) -> list[Row | Section]:
    sizes = measure_all(work, REGIONS, say)
    started = [s for s in sizes if s.start_s is not None]
    found: list[Row | Section] = []
    if len(started) >= 2:
        found.append(_linear_row("cold start", started, [s.start_s or 0.0 for s in started]))
        found.append(_linear_row("RSS", started, [s.rss_mib or 0.0 for s in started]))
    last = started[-1] if started else None
    if last is not None and (lag := last.lag_p99_ms) is not None:
        found.append(
            Row(
                "growth",
                f"transition lag p99 at {last.regions} regions, 50/s (ms)",
                f"{lag:.1f} (among {last.links} proxies)",
                "<= 20 ms (P3's target)",
                better_is_lower(max(lag, 1e-3), 20.0),
            )
        )
    broke = [s for s in sizes if s.start_s is None]
    if broke:
        found.append(
            Row("growth", f"{broke[0].regions} regions", "did not start", "", None, broke[0].broke)
        )
    text = (
        "Generated topologies (meldkamer-nl's shape, bench/topologies_gen.py) on the local "
        "backend. Cold start: `up` until all healthy. RSS: summed over the supervisor and every "
        "service process 1 s after start (shared pages counted per process, so an upper "
        "bound). Lag: the reconciler at 50 transitions/s for 3 s over 10 flapping proxies, on a "
        "toxiproxy-server (and driver) holding as many proxies as the topology has links.\n\n"
        + _topology_table(sizes)
    )
    return [*found, Section("Growth with the topology", text)]


def _render_table(renders: list[Render], work: Path) -> str:
    lines = [
        "| requests | journal (MiB) | render (s) | peak RSS (MiB) | verdict rendered |",
        "|---|---|---|---|---|",
    ]
    for r in renders:
        verdict = summary_verdict(work / f"journal-{r.requests}")
        lines.append(
            f"| {r.requests:,} | {r.journal_mib:.0f} | {r.seconds:.1f} | {r.peak_mib:.0f} | "
            f"{verdict} (exit {r.exit_code}) |"
        )
    labels = [f"{r.requests:,}" for r in renders]
    plots = [
        bars("render time", labels, [r.seconds for r in renders], "s"),
        bars("peak RSS", labels, [r.peak_mib for r in renders], "MiB"),
    ]
    return "\n".join(lines) + "\n\n```\n" + "\n\n".join(plots) + "\n```"


def journal_growth(work: Path) -> list[Row | Section]:
    renders = []
    for n in SIZES:
        say(f"growth: a journal of {n:,} requests, written then rendered ...")
        renders.append(render(n, work))
    largest = renders[-1]
    text = (
        "Synthetic journals (bench/journal_growth.py: baseline's traffic mix, 0.05 % failed "
        "requests, no incidents event, so the verdict is FAILED by design) rendered by "
        "`harness report DIR` in a child process; peak RSS is that child's maximum RSS.\n\n"
        + _render_table(renders, work)
    )
    return [
        Row(
            "growth",
            f"report render of {largest.requests:,} requests (s)",
            f"{largest.seconds:.1f}",
            "<= 30 s",
            better_is_lower(max(largest.seconds, 1e-3), 30.0),
        ),
        Row(
            "growth",
            f"report render of {largest.requests:,} requests, peak RSS (MiB)",
            f"{largest.peak_mib:.0f}",
            "<= 1024 MiB",
            better_is_lower(max(largest.peak_mib, 1e-3), 1024.0),
        ),
        Section("Report rendering with the journal's size", text),
    ]


def growth(work: Path) -> list[Row | Section]:
    return [*topology_growth(work), *journal_growth(work)]
