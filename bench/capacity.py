"""SIP call capacity of our generator and of sipp against the same entry (P1; sipp also P2, P5).

`sip_capacity` runs our callers through the runner: many users, no pacing, for `seconds`.
`sipp_capacity` runs sipp (TCP, one socket, harness/load/sipp/invite-112.xml) at rising call
rates until more than 1 % of calls fail or sipp cannot place calls faster (a plateau), and
reports its best step. P1 holds when ours / sipp >= P1_TARGET (0.7) with ours at <= 1 % failures.
These are measurements, not tests: `make bench` calls them, tests only check they work.
"""

from __future__ import annotations

import csv
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness import procs
from harness.clock import linear
from harness.errors import InfrastructureError
from harness.journal import Request, read_events
from harness.load.config import LoadConfig, LoadOptions, UserGroup
from harness.load.runner import START_UP, LocustRun
from harness.model.stack import Endpoint
from harness.model.traffic import INCIDENT_TRAFFIC, TRAFFIC_CLASSES
from harness.paths import project_root

SIPP = "/usr/bin/sipp"
SIPP_SCENARIO = project_root() / "harness" / "load" / "sipp" / "invite-112.xml"
P1_TARGET = 0.7  # ours / sipp on both rows (issue 16)
MAX_FAILURES = 0.01  # P1 compares capacities at no more than 1 % failed calls
PLATEAU = 0.9  # a step that reaches less than 90 % of its target rate is sipp's ceiling
WARM_UP = 2.0  # seconds for Locust to start and connect its users before the window opens


@dataclass(frozen=True)
class Capacity:
    """Answered calls per second in a measurement window, and the set-up time (INVITE -> 200)."""

    tool: str
    calls_per_s: float
    calls: int
    failures: int
    p50: float | None  # seconds
    p99: float | None
    target_rate: float | None = None  # sipp: the -r of this step

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.calls if self.calls else 1.0


def _percentiles(samples: Sequence[float]) -> tuple[float | None, float | None]:
    if not samples:
        return None, None
    if len(samples) == 1:
        return samples[0], samples[0]
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[98]


@contextmanager
def _work_dir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="dc-bench-") as tmp:
        yield Path(tmp)


# ---- our generator -----------------------------------------------------------------------


def sip_capacity(
    entry: Endpoint,
    seconds: float = 5.0,
    users: int = 50,
    processes: int = 1,
    region: str = "rotterdam",
    traffic: str = "callers-112",
    timeout: float = 2.0,
    work_dir: Path | None = None,
) -> Capacity:
    """Our SIP callers, `users` of them calling back to back, for `seconds`."""
    with _work_dir(work_dir) as out:
        journal = out / "journal.jsonl"
        config = callers_config(entry, seconds, users, journal, region, traffic, timeout)
        return measure(LocustRun(config, out, processes), seconds)


def callers_config(
    entry: Endpoint,
    seconds: float,
    users: int,
    journal: Path,
    region: str = "rotterdam",
    traffic: str = "callers-112",
    timeout: float = 2.0,
) -> LoadConfig:
    """`users` SIP callers calling `entry` back to back, unpaced, for `seconds` after a warm-up."""
    wall_start = time.time() + WARM_UP
    group = UserGroup(
        name="bench_callers",
        traffic=traffic,
        region=region,
        link="callers->telephony",
        host=entry.host,
        port=entry.port,
        users=users,
        rate=None,  # unpaced: as fast as the far end answers
    )
    return LoadConfig(
        journal=str(journal),
        wall_start=wall_start,
        end=wall_start + seconds,
        marks=linear(1.0, 1.0),  # scenario time is wall time
        seed=0,
        options=LoadOptions(timeout=timeout),
        groups=(group,),
    )


def measure(run: LocustRun, seconds: float) -> Capacity:
    """Start the run, wait for it to end by itself; its answered calls per second from t = 0."""
    run.start()
    try:
        budget = run.run_time(time.time()) + START_UP + 10
        if run.wait(budget) is None:
            raise InfrastructureError(f"Locust did not end within {budget:.0f} s")
    finally:
        run.stop()
    start = run.wall_start  # t = 0 as Locust chose it: every user in place
    calls = [
        e
        for e in read_events(Path(run.config.journal))
        if isinstance(e, Request) and start <= e.wall < start + seconds
    ]
    answered = sorted(c.latency for c in calls if c.ok)
    p50, p99 = _percentiles(answered)
    return Capacity(
        "harness", len(answered) / seconds, len(calls), len(calls) - len(answered), p50, p99
    )


# ---- sipp ----------------------------------------------------------------------------------


def sipp_step(
    entry: Endpoint,
    rate: float,
    seconds: float = 5.0,
    region: str = "rotterdam",
    number: str = TRAFFIC_CLASSES[INCIDENT_TRAFFIC].number or "112",
    timeout: float = 2.0,
    work_dir: Path | None = None,
    sipp: str = SIPP,
) -> Capacity:
    """sipp placing `rate` calls per second for `seconds` over one TCP connection."""
    calls = max(1, round(rate * seconds))
    with _work_dir(work_dir) as out:
        stats = out / f"sipp-{rate:g}.csv"
        argv = [
            sipp,
            str(entry),
            "-sf", str(SIPP_SCENARIO),
            "-t", "t1",
            "-s", number,
            "-key", "region", region,
            "-recv_timeout", str(round(timeout * 1000)),
            "-r", f"{rate:g}",
            "-m", str(calls),
            "-nostdin",
            "-trace_stat", "-stf", str(stats), "-fd", "1",
            "-trace_rtt", "-rtt_freq", "1",
            "-timeout", f"{round(seconds * 3 + timeout + 5)}s",
        ]  # fmt: skip
        began = time.monotonic()
        with (out / "sipp.log").open("ab") as log:
            proc = procs.spawn(argv, cwd=out, stdout=log, stderr=log)
            try:
                proc.wait(seconds * 3 + timeout + 15)
            except subprocess.TimeoutExpired:
                raise InfrastructureError(f"sipp did not end at {rate:g} calls/s") from None
            finally:
                procs.stop(proc)
        elapsed = time.monotonic() - began
        if not stats.exists():
            raise InfrastructureError(f"sipp wrote no statistics (see {out / 'sipp.log'})")
        with stats.open(newline="") as f:
            last = list(csv.DictReader(f, delimiter=";"))[-1]
        answers = _answers(out, proc.pid)
    ok, failed = int(last["SuccessfulCall(C)"]), int(last["FailedCall(C)"])
    p50, p99 = _percentiles(sorted(setup for _, setup in answers))
    # the rate at which answers came, first to last: sipp's start-up and the last call's
    # hang-up are not part of it (they would make short steps look like a plateau)
    span = answers[-1][0] - answers[0][0] if len(answers) > 1 else 0.0
    answered_per_s = (len(answers) - 1) / span if span > 0 else ok / elapsed
    return Capacity("sipp", answered_per_s, ok + failed, failed, p50, p99, target_rate=rate)


def _answers(out: Path, pid: int) -> list[tuple[float, float]]:
    """(when, set-up time) of each answered call, in seconds, from sipp's
    `<scenario>_<pid>_rtt.csv` (milliseconds since start, response time in milliseconds)."""
    path = out / f"{SIPP_SCENARIO.stem}_{pid}_rtt.csv"
    if not path.exists():
        return []
    with path.open(newline="") as f:
        rows = csv.DictReader(f, delimiter=";")
        return sorted(
            (float(r["Date_ms"]) / 1000.0, float(r["response_time_ms"]) / 1000.0)
            for r in rows
            if r.get("rtd_no") == "setup"
        )


def sipp_capacity(
    entry: Endpoint,
    seconds: float = 5.0,
    start_rate: float = 50.0,
    max_rate: float = 6400.0,
    region: str = "rotterdam",
    timeout: float = 2.0,
    work_dir: Path | None = None,
    sipp: str = SIPP,
) -> tuple[Capacity, list[Capacity]]:
    """sipp's best step at <= 1 % failures, doubling the rate until failures or a plateau;
    also every step measured (the first one, even when it failed, so there is always one)."""
    steps: list[Capacity] = []
    rate = start_rate
    with _work_dir(work_dir) as out:
        while rate <= max_rate:
            step = sipp_step(entry, rate, seconds, region, timeout=timeout, work_dir=out, sipp=sipp)
            steps.append(step)
            if step.failure_ratio > MAX_FAILURES or step.calls_per_s < PLATEAU * rate:
                break
            rate *= 2
    good = [s for s in steps if s.failure_ratio <= MAX_FAILURES]
    best = max(good, key=lambda s: s.calls_per_s) if good else steps[0]
    return best, steps


def p1_ratio(ours: Capacity, sipp: Capacity) -> float | None:
    """ours / sipp calls per second; None when either failed more than 1 % of its calls."""
    if ours.failure_ratio > MAX_FAILURES or sipp.failure_ratio > MAX_FAILURES:
        return None
    return ours.calls_per_s / sipp.calls_per_s if sipp.calls_per_s else None
