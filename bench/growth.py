"""Growth curves: how cold start, memory and transition lag grow with the topology's size
(generated topologies of 5, 25 and 100 regions on the local backend).

"Grows no faster than linearly in services + links" is judged as the ratio of the growth of
a cost to the growth of services + links from the smallest to the largest size: <= 1 meets
it (a cost that doubles while the topology doubles is linear; one that quadruples is not).

    python -m bench growth
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from bench.topologies_gen import write_topology
from bench.transition_lag import bench_transition_lag
from harness.backends.local.backend import LocalBackend
from harness.model.topology import load_topology

REGIONS = (5, 25, 100)
START_TIMEOUT = 240.0  # seconds for the largest topology to come up before we call it broken


@dataclass(frozen=True)
class Size:
    regions: int
    services: int
    links: int
    start_s: float | None  # None: did not come up
    rss_mib: float | None  # summed RSS of every process of the stack
    lag_p99_ms: float | None  # 10 proxies flapping among as many as the topology has links
    broke: str = ""

    @property
    def size(self) -> int:
        return self.services + self.links


def growth_ratio(sizes: Sequence[int], costs: Sequence[float]) -> float:
    """(last cost / first cost) / (last size / first size): <= 1.0 is at most linear."""
    if len(sizes) < 2 or costs[0] <= 0 or sizes[0] <= 0:
        raise ValueError("need two sizes and a positive first cost")
    return (costs[-1] / costs[0]) / (sizes[-1] / sizes[0])


def _stack_rss() -> float:
    """Summed RSS of every process below this one (the supervisor and its services), MiB.
    Shared pages count once per process, so this is an upper bound of what the stack holds."""
    total = 0
    for proc in psutil.Process().children(recursive=True):
        try:
            total += proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return total / 2**20


def measure(regions: int, work: Path) -> Size:
    path = write_topology(regions, work / "topologies")
    topo = load_topology(path)
    services, links = len(topo.services), len(topo.links)
    backend = LocalBackend(path, work / f"state-{regions}")
    began = time.monotonic()
    try:
        backend.up(timeout=START_TIMEOUT)
    except Exception as exc:  # the bench reports where it broke instead of stopping
        backend.down()
        why = f"{type(exc).__name__}: {exc}"[:120]
        return Size(regions, services, links, None, None, None, why)
    start = time.monotonic() - began
    try:
        time.sleep(1.0)  # settle: RSS right after the last health check still moves
        rss = _stack_rss()
    finally:
        backend.down()
    flapping = min(10, links)
    lag = bench_transition_lag(rate=50.0, duration=3.0, links=flapping, idle=links - flapping)
    return Size(regions, services, links, start, rss, lag.p99_ms)


def measure_all(
    work: Path, regions: Sequence[int] = REGIONS, say: Callable[[str], None] = print
) -> list[Size]:
    sizes = []
    for n in regions:
        say(f"growth: {n} regions: cold start, RSS, transition lag ...")
        sizes.append(measure(n, work))
    return sizes
