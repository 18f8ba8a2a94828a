"""`make bench`: measure the performance targets on this machine and print a table of ratios.

    python -m bench            # everything, about 10 minutes; writes bench/results.md
    python -m bench P1 P5      # only some targets, written to bench/results-p1-p5.md
    python -m bench growth     # growth curves (also: topology, journal)
    python -m bench workers    # SIP callers on 1 vs 2 Locust workers
    BENCH_SOAK=1800 python -m bench P6    # the full 30-minute memory soak (default 120 s)

Every number comes from a measurement in this run; nothing is assumed. The local stack is started
once in a temporary state folder and taken down at the end; P3 and the growth curves start
what they measure themselves.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from bench.growth_rows import growth, journal_growth, topology_growth
from bench.hop import added_p50_ms
from bench.log import console, say
from bench.memory import soak
from bench.results import Section, load_now, write
from bench.table import Row, better_is_higher, better_is_lower, print_rows
from bench.workers import workers_rows
from harness.backends.local.backend import LocalBackend
from harness.model.stack import Endpoint, StackInfo
from harness.paths import scenarios_dir
from harness.toxiproxy.binary import ensure

TOPOLOGY = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"
CALL_PATH = Path(__file__).with_name("topologies") / "call-path.yaml"
_say = say


def p1(stack: StackInfo, work: Path) -> list[Row | Section]:
    """Our generator vs sipp, each at its best, against the same entry in the same run: once on
    the call path alone (the generators' own cost decides) and once on the whole world."""
    backend = LocalBackend(CALL_PATH, work / "p1-state")
    call_path = backend.up(timeout=30)
    try:
        rows: list[Row | Section] = [
            _p1_row("call path only", call_path.entry("callers->telephony"), work / "p1a")
        ]
    finally:
        backend.down()
    rows.append(_p1_row("whole world", stack.entry("callers->telephony"), work / "p1b"))
    return rows


def _p1_row(where: str, entry: Endpoint, work: Path) -> Row:
    from bench.capacity import P1_TARGET, p1_ratio, sip_capacity, sipp_capacity

    _say(f"P1 ({where}): sipp at rising rates ...")
    sipp, _ = sipp_capacity(entry, seconds=5, work_dir=work / "sipp")
    _say(f"P1 ({where}): our SIP callers (Locust), a few user and process counts ...")
    tries = [(u, n) for n in (1, 2) for u in (25, 50, 100)]  # users, Locust processes
    ours = max(
        (
            sip_capacity(entry, seconds=6, users=u, processes=n, work_dir=work / f"ours-{u}-{n}")
            for u, n in tries
        ),
        key=lambda c: c.calls_per_s if c.failure_ratio <= 0.01 else -1,
    )
    ratio = p1_ratio(ours, sipp)
    return Row(
        "P1",
        f"SIP generator vs sipp, {where} (calls/s)",
        f"{ours.calls_per_s:.0f} vs {sipp.calls_per_s:.0f} "
        f"({ours.failure_ratio:.1%} / {sipp.failure_ratio:.1%} failed)",
        f">= {P1_TARGET}x at <= 1 % failures",
        None if ratio is None else better_is_higher(ratio, P1_TARGET),
        f"ratio {ratio:.2f}" if ratio is not None else "a side failed > 1 %",
    )


def p2(stack: StackInfo, work: Path) -> list[Row | Section]:
    from bench.capacity import sipp_capacity

    direct = stack.services["telephony"].endpoint("sip")
    proxied = stack.entry("callers->telephony")
    _say("P2: SIP OPTIONS round trips, direct vs through the proxy ...")
    d50, p50 = added_p50_ms(direct, proxied)
    added = max(p50 - d50, 0.0)
    _say("P2: sipp capacity, direct vs through the proxy ...")
    direct_cap, _ = sipp_capacity(direct, seconds=5, work_dir=work / "p2-direct")
    proxy_cap, _ = sipp_capacity(proxied, seconds=5, work_dir=work / "p2-proxy")
    through = proxy_cap.calls_per_s / direct_cap.calls_per_s if direct_cap.calls_per_s else 0.0
    return [
        Row(
            "P2",
            "Toxiproxy hop: added p50 (ms)",
            f"{added:.3f} ({d50:.3f} -> {p50:.3f})",
            "<= 1 ms",
            better_is_lower(max(added, 1e-3), 1.0),
        ),
        Row(
            "P2",
            "Toxiproxy hop: throughput vs direct",
            f"{through:.2f}x ({proxy_cap.calls_per_s:.0f} vs {direct_cap.calls_per_s:.0f} calls/s)",
            ">= 0.8x",
            better_is_higher(through, 0.8),
        ),
    ]


def p3(work: Path) -> list[Row | Section]:
    from bench.flap_loop import loop_transition_lag
    from bench.transition_lag import bench_transition_lag

    lines = ["| transitions/s | ours p50 / p99 (ms) | loop p50 / p99 (ms) | loop p99 / ours p99 |"]
    lines.append("|---|---|---|---|")
    rows: list[Row | Section] = []
    for rate in (10.0, 50.0, 200.0):
        _say(f"P3: {rate:g} transitions/s for 5 s, the harness then a toxiproxy-python loop ...")
        ours = bench_transition_lag(rate=rate, duration=5.0)
        loop = loop_transition_lag(rate=rate, duration=5.0)
        gain = loop.p99_ms / ours.p99_ms if ours.p99_ms > 0 else float("inf")
        lines.append(
            f"| {rate:g} | {ours.p50_ms:.1f} / {ours.p99_ms:.1f} ({ours.transitions}, "
            f"{ours.failed} failed) | {loop.p50_ms:.1f} / {loop.p99_ms:.1f} "
            f"({loop.transitions}, {loop.failed} failed) | {gain:.2f}x |"
        )
        if rate == 50.0:
            rows.append(
                Row(
                    "P3",
                    "fault transition lag p99 at 50/s (ms)",
                    f"{ours.p99_ms:.1f} (p50 {ours.p50_ms:.1f}; loop {loop.p99_ms:.1f})",
                    "<= 20 ms",
                    better_is_lower(ours.p99_ms, 20.0),
                )
            )
        if rate == 200.0:
            rows.append(
                Row(
                    "P3",
                    "transition lag p99 at 200/s: loop / ours",
                    f"{gain:.2f}x ({loop.p99_ms:.1f} vs {ours.p99_ms:.1f} ms)",
                    ">= 2x",
                    better_is_higher(gain, 2.0),
                )
            )
    rows.append(
        Section(
            "P3 transition lag: harness vs a hand-written toxiproxy-python loop",
            "Same schedule (10 proxies, half cut, half slowed 5 ms, flapping), each on a fresh "
            "toxiproxy-server, one after the other in this run, 5 s per rate. Lag = wall time "
            "Toxiproxy confirmed the transition minus the wall time it was due, for both. "
            "The loop uses the `toxiproxy-python` client (requests, one call per transition, "
            "sleeping until each is due).\n\n" + "\n".join(lines),
        )
    )
    return rows


def p4(stack: StackInfo, work: Path) -> list[Row | Section]:
    rows: list[Row | Section] = []
    times = []
    for n in range(3):
        backend = LocalBackend(TOPOLOGY, work / f"p4-local-{n}")
        began = time.monotonic()
        backend.up(timeout=30)
        times.append(time.monotonic() - began)
        backend.down()
    local = statistics.median(times)
    rows.append(
        Row(
            "P4",
            "cold start to all-healthy, local (s)",
            f"{local:.2f} (median of {', '.join(f'{t:.2f}' for t in times)})",
            "<= 3 s",
            better_is_lower(local, 3.0),
        )
    )
    rows.append(_compose_start(work))
    return rows


def _compose_start(work: Path) -> Row:
    try:
        from harness.backends.build_images import build_images
        from harness.backends.compose import ComposeBackend
        from harness.model.topology import load_topology
    except ImportError as exc:
        return Row("P4", "cold start, compose (s)", "not measured", "<= 30 s", None, str(exc))
    try:
        _say("P4: compose images (built if needed), then three cold starts ...")
        build_images(console=console)
        times = []
        for _ in range(3):
            backend = ComposeBackend(load_topology(TOPOLOGY), project="dcbench", state=work)
            began = time.monotonic()
            backend.up(120)
            times.append(time.monotonic() - began)
            backend.down()
    except Exception as exc:
        return Row(
            "P4",
            "cold start, compose (s)",
            "not measured",
            "<= 30 s",
            None,
            f"{type(exc).__name__}: {exc}"[:60],
        )
    median = statistics.median(times)
    return Row(
        "P4",
        "cold start to all-healthy, compose (s)",
        f"{median:.1f} (median of {', '.join(f'{t:.1f}' for t in times)})",
        "<= 30 s",
        better_is_lower(median, 30.0),
    )


def p5(stack: StackInfo, work: Path) -> list[Row | Section]:
    from bench.capacity import sipp_step
    from bench.stepping import RATES, describe, step_up

    entry = stack.entry("callers->telephony")
    _say(
        f"P5: sipp through the whole 112 path at {', '.join(f'{r:g}' for r in RATES)} calls/s, 5 s each, until a step breaks ..."
    )
    # a short warm-up first: the stack's first calls (imports, connection set-up) are not
    # its capacity
    sipp_step(entry, 100, seconds=2, work_dir=work / "p5-warm-up")
    stepped = step_up(lambda rate: sipp_step(entry, rate, seconds=5, work_dir=work / "p5"))
    held, broke = stepped.held, stepped.broke
    capacity = held.capacity.calls_per_s if held else 0.0
    p99_ms = (held.capacity.p99 or 0.0) * 1000 if held else float("inf")
    where = "no step broke"
    if broke:
        top = broke.busiest[0] if broke.busiest else None
        busy = f"{top.name} {top.cpu:.0%}" if top else "?"
        where = (
            f"broke at -r {broke.capacity.target_rate:g}: {broke.broke_because}; busiest "
            f"{busy}; CPU ours {broke.cpu_total:.2f}, machine-wide {broke.machine:.2f} "
            f"of {os.cpu_count()} cores"
        )
    rows: list[Row | Section] = [
        Row(
            "P5",
            "end-to-end 112 capacity, highest step held (calls/s)",
            f"{capacity:.0f} at -r {held.capacity.target_rate:g}" if held else "no step held",
            ">= 1000, 0 failures",
            better_is_higher(capacity, 1000),
            where,
        ),
        Row(
            "P5",
            "end-to-end 112 set-up p99 at that step (ms)",
            f"{p99_ms:.0f} (p50 {(held.capacity.p50 or 0) * 1000:.0f})" if held else "—",
            "<= 100 ms",
            better_is_lower(max(p99_ms, 1), 100) if held else None,
        ),
        Section(
            "P5 stepping (sipp, TCP, whole 112 path)",
            "A step holds at 0 failed calls, set-up p99 <= 100 ms and >= 90 % of the offered "
            "rate placed; CPU is per process in cores (1.0 = one core at 100 %), sampled "
            "every 0.25 s.\n\n" + "\n".join(f"- {describe(st)}" for st in stepped.steps),
        ),
    ]
    return rows


def p6(stack: StackInfo, work: Path) -> list[Row | Section]:
    seconds = float(os.environ.get("BENCH_SOAK", "120"))
    _say(f"P6: baseline load for {seconds:g} s, sampling RSS of harness + stack every second ...")
    env = {**os.environ, "DC_STATE_DIR": str(work / "state")}
    pids = [p for p in (stack.supervisor_pid,) if p]
    samples = soak(scenarios_dir() / "baseline.yaml", seconds, env, pids, work / "p6" / "report")
    if len(samples) < 10:
        return [Row("P6", "memory", "too few samples", "", None)]
    peak = max(rss for _, rss in samples) / 2**20
    # While the load runs (after the lead and a fifth of the run, before the wrap-up):
    # the mean of the first and of the last five samples, so one noisy second cannot decide.
    lead = 3.0
    steady = [rss for t, rss in samples if lead + 0.2 * seconds <= t <= lead + seconds - 1]
    if len(steady) < 10:
        return [Row("P6", "memory", "too few samples while the load ran", "", None)]
    first, last = statistics.mean(steady[:5]), statistics.mean(steady[-5:])
    growth = (last - first) / first
    return [
        Row(
            "P6",
            "RSS, harness + whole mock world (MiB)",
            f"{peak:.0f} peak",
            "<= 1024 MiB",
            better_is_lower(peak, 1024),
        ),
        Row(
            "P6",
            f"RSS growth over a {seconds:g} s soak",
            f"{growth:+.1%}",
            "<= 10 % over 30 min",
            better_is_lower(max(growth, 1e-3), 0.10),
            "BENCH_SOAK=1800 for the full 30 min" if seconds < 1800 else "",
        ),
    ]


Target = Callable[[StackInfo, Path], list[Row | Section]]
TARGETS: dict[str, Target] = {
    "P1": p1,
    "P2": p2,
    "P4": p4,
    "P5": p5,
    "P6": p6,
}
# targets that start what they measure themselves (no shared stack)
ALONE: dict[str, Callable[[Path], list[Row | Section]]] = {
    "P3": p3,
    "GROWTH": growth,
    "TOPOLOGY": topology_growth,
    "JOURNAL": journal_growth,
    "WORKERS": workers_rows,
}
EVERYTHING = ["P1", "P2", "P3", "P4", "P5", "P6", "GROWTH", "WORKERS"]  # `python -m bench` alone


def main(argv: list[str]) -> int:
    chosen = [a.upper() for a in argv] or EVERYTHING
    unknown = [c for c in chosen if c not in TARGETS and c not in ALONE]
    if unknown:
        console.print(f"unknown target {unknown[0]}; choose from {', '.join([*TARGETS, *ALONE])}")
        return 2
    ensure()
    load = load_now()
    found: list[Row | Section] = []
    with tempfile.TemporaryDirectory(prefix="dc-bench-") as tmp:
        work = Path(tmp)
        for name in (c for c in chosen if c in ALONE):
            found += ALONE[name](work / name.lower())
        if any(c in TARGETS for c in chosen):
            backend = LocalBackend(TOPOLOGY, work / "state")
            _say("starting the local stack ...")
            stack = backend.up(timeout=30)
            try:
                for name in (c for c in chosen if c in TARGETS):
                    found += TARGETS[name](stack, work)
            finally:
                backend.down()
    rows = sorted((r for r in found if isinstance(r, Row)), key=lambda r: r.target)
    print_rows(rows, Console(width=170))
    command = "python -m bench" + "".join(f" {a}" for a in argv)
    sections = [s for s in found if isinstance(s, Section)]
    profile = Path(__file__).with_name("p1-profile.md")  # by `python -m bench.profile_p1`
    if profile.exists():
        sections.append(Section("P1 profile", profile.read_text(encoding="utf-8")))
    # only a full run replaces results.md (the README quotes it); a partial one writes beside it
    name = "results.md" if not argv else f"results-{'-'.join(a.lower() for a in argv)}.md"
    path = write(rows, sections, command, load, Path(__file__).with_name(name))
    _say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
