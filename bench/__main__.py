"""`make bench`: measure the performance targets on this machine and print a table of ratios.

    python -m bench            # everything, about 6 minutes
    python -m bench P1 P5      # only some targets
    BENCH_SOAK=1800 python -m bench P6    # the full 30-minute memory soak (default 120 s)

Every number comes from a measurement in this run; nothing is assumed. The local stack is started
once in a temporary state folder and taken down at the end.
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

from bench.hop import added_p50_ms
from bench.memory import soak
from bench.table import Row, better_is_higher, better_is_lower, print_rows
from harness.backends.local.backend import LocalBackend
from harness.model.stack import Endpoint, StackInfo
from harness.paths import scenarios_dir
from harness.toxiproxy.binary import ensure

TOPOLOGY = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"
CALL_PATH = Path(__file__).with_name("topologies") / "call-path.yaml"
console = Console(stderr=True, highlight=False)


def _say(text: str) -> None:
    console.print(f"[dim]bench:[/] {text}", soft_wrap=True)  # one line each in logs


def p1(stack: StackInfo, work: Path) -> list[Row]:
    """Our generator vs sipp, each at its best, against the same entry in the same run: once on
    the call path alone (the generators' own cost decides) and once on the whole world."""
    backend = LocalBackend(CALL_PATH, work / "p1-state")
    call_path = backend.up(timeout=30)
    try:
        rows = [_p1_row("call path only", call_path.entry("callers->telephony"), work / "p1a")]
    finally:
        backend.down()
    rows.append(_p1_row("whole world", stack.entry("callers->telephony"), work / "p1b"))
    return rows


def _p1_row(where: str, entry: Endpoint, work: Path) -> Row:
    from bench.capacity import p1_ratio, sip_capacity, sipp_capacity

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
        ">= 0.5x at <= 1 % failures",
        None if ratio is None else better_is_higher(ratio, 0.5),
        f"ratio {ratio:.2f}" if ratio is not None else "a side failed > 1 %",
    )


def p2(stack: StackInfo, work: Path) -> list[Row]:
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


def p3(stack: StackInfo, work: Path) -> list[Row]:
    from bench.transition_lag import bench_transition_lag

    _say("P3: 50 transitions/s for 10 s against a fresh toxiproxy-server ...")
    lag = bench_transition_lag(rate=50.0, duration=10.0)
    return [
        Row(
            "P3",
            "fault transition lag p99 (ms)",
            f"{lag.p99_ms:.1f} (p50 {lag.p50_ms:.1f}, max {lag.max_ms:.1f}, "
            f"{lag.transitions} transitions)",
            "<= 20 ms at 50/s",
            better_is_lower(lag.p99_ms, 20.0),
        )
    ]


def p4(stack: StackInfo, work: Path) -> list[Row]:
    rows = []
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
        from harness.backends.compose import ComposeBackend
        from harness.backends.images import build_images
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


def p5(stack: StackInfo, work: Path) -> list[Row]:
    from bench.capacity import sipp_step

    entry = stack.entry("callers->telephony")
    # Offered a tenth above the target: sipp never places more than its -r, so an offer of
    # exactly 300/s could only ever measure "just under 300".
    _say("P5: 330 calls/s offered for 10 s through the whole 112 path (sipp as callers) ...")
    step = sipp_step(entry, 330, seconds=10, work_dir=work / "p5")
    p99_ms = (step.p99 or 0.0) * 1000
    return [
        Row(
            "P5",
            "end-to-end 112 capacity (calls/s)",
            f"{step.calls_per_s:.0f} at -r 330, {step.failures} failed of {step.calls}",
            ">= 300, 0 failures",
            better_is_higher(step.calls_per_s, 300) if step.failures == 0 else 0.0,
        ),
        Row(
            "P5",
            "end-to-end 112 set-up p99 (ms)",
            f"{p99_ms:.0f} (p50 {(step.p50 or 0) * 1000:.0f})",
            "<= 100 ms",
            better_is_lower(max(p99_ms, 1), 100),
        ),
    ]


def p6(stack: StackInfo, work: Path) -> list[Row]:
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


TARGETS: dict[str, Callable[[StackInfo, Path], list[Row]]] = {
    "P1": p1,
    "P2": p2,
    "P3": p3,
    "P4": p4,
    "P5": p5,
    "P6": p6,
}


def main(argv: list[str]) -> int:
    chosen = [a.upper() for a in argv] or list(TARGETS)
    unknown = [c for c in chosen if c not in TARGETS]
    if unknown:
        console.print(f"unknown target {unknown[0]}; choose from {', '.join(TARGETS)}")
        return 2
    ensure()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="dc-bench-") as tmp:
        work = Path(tmp)
        backend = LocalBackend(TOPOLOGY, work / "state")
        _say("starting the local stack ...")
        stack = backend.up(timeout=30)
        try:
            for name in chosen:
                rows += TARGETS[name](stack, work)
        finally:
            backend.down()
    print_rows(rows, Console(width=170))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
