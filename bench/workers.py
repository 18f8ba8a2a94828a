"""Scale-out on this machine: our SIP callers on 1 and on 2 Locust workers (`harness worker`
processes joining a master on a free loopback port, as workers on other hosts would), against
the call path alone, so the generator's own cost decides. Reports the best rate each held at
<= 1 % failed calls; on a 2-core machine the second worker shares the cores with the master,
Toxiproxy and the telephony mock, which is what the numbers show."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from bench.capacity import MAX_FAILURES, Capacity, callers_config, measure
from bench.log import say
from bench.results import Section
from bench.table import Row
from harness import procs
from harness.backends.local.backend import LocalBackend
from harness.load.runner import LocustRun
from harness.model.stack import Endpoint

CALL_PATH = Path(__file__).with_name("topologies") / "call-path.yaml"
USERS = (50, 100)  # callers in all, dealt across the workers
SECONDS = 6.0


def workers_capacity(entry: Endpoint, workers: int, users: int, work: Path) -> Capacity:
    """`users` callers back to back for SECONDS, on `workers` worker processes."""
    work.mkdir(parents=True, exist_ok=True)
    port = procs.free_port()
    join = [sys.executable, "-m", "harness", "worker", "--master", f"127.0.0.1:{port}"]
    joined = [procs.spawn(join, cwd=work) for _ in range(workers)]
    try:
        config = callers_config(entry, SECONDS, users, work / "journal.jsonl")
        run = LocustRun(config, work, workers=workers, bind=("127.0.0.1", port))
        return measure(run, SECONDS)
    finally:
        for proc in joined:
            procs.stop(proc)


def best_held(entry: Endpoint, workers: int, work: Path) -> tuple[Capacity, int]:
    """The highest rate at <= 1 % failures over USERS, and the user count that reached it."""
    tried = []
    for users in USERS:
        say(f"workers: {users} callers on {workers} Locust worker(s) for {SECONDS:g} s ...")
        tried.append((workers_capacity(entry, workers, users, work / f"{workers}-{users}"), users))
    return max(tried, key=lambda c: c[0].calls_per_s if c[0].failure_ratio <= MAX_FAILURES else -1)


def workers_rows(work: Path) -> list[Row | Section]:
    backend = LocalBackend(CALL_PATH, work / "state")
    entry = backend.up(timeout=30).entry("callers->telephony")
    try:
        (one, u1), (two, u2) = (best_held(entry, n, work / f"w{n}") for n in (1, 2))
    finally:
        backend.down()
    gain = two.calls_per_s / one.calls_per_s if one.calls_per_s else 0.0
    measured = (
        f"{one.calls_per_s:.0f} vs {two.calls_per_s:.0f} "
        f"({one.failure_ratio:.1%} / {two.failure_ratio:.1%} failed)"
    )
    header = "| workers | callers | calls/s held | failed | set-up p50 / p99 (ms) |\n"
    detail = (
        header
        + "|---|---|---|---|---|\n"
        + "\n".join(
            f"| {n} | {u} | {c.calls_per_s:.0f} | {c.failure_ratio:.1%} | "
            f"{(c.p50 or 0) * 1000:.1f} / {(c.p99 or 0) * 1000:.1f} |"
            for n, c, u in ((1, one, u1), (2, two, u2))
        )
    )
    return [
        Row(
            "WORKERS",
            "SIP callers on 1 vs 2 Locust workers, call path (calls/s)",
            measured,
            "measured, no target",
            None,
            f"2 workers: {gain:.2f}x on {os.cpu_count()} cores",
        ),
        Section(
            "Locust workers: 1 vs 2 on this machine",
            "`harness worker` processes joining a master on 127.0.0.1 (Locust's distributed "
            f"mode, as on other hosts), {SECONDS:g} s of unpaced callers against the call path "
            f"(bench/topologies/call-path.yaml), best of {', '.join(map(str, USERS))} callers "
            f"at <= 1 % failures.\n\n{detail}",
        ),
    ]
