"""Which of our child processes was busy: CPU share of each over a measurement window.

Samples the CPU time (user + system) of every process below this one (the local stack's
supervisor, services, toxiproxy-server, sipp) a few times a second, so a process that starts
or ends within the window is still counted. 1.0 means one core fully busy.

It also reads the whole machine's busy time over the same window (every process, ours or
not, and time the hypervisor gave to others): on a shared machine our processes may use 1.2
of 2 cores while the machine has none left, and then a step's latency is waiting for a core.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from types import TracebackType

import psutil

EVERY = 0.25  # seconds between samples


@dataclass(frozen=True)
class Busy:
    pid: int
    name: str
    cpu: float  # cores: 1.0 = one core at 100 %


def _label(proc: psutil.Process) -> str:
    try:
        argv = proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "?"
    # a python service is known by its module (-m x) or script, not by "python"
    if len(argv) > 2 and argv[1] == "-m":
        # mock services: the config file is named after the service (meldkamer-rotterdam)
        if "--config" in argv[:-1]:
            return argv[argv.index("--config") + 1].rsplit("/", 1)[-1].rsplit(".", 1)[0]
        return argv[2]
    return " ".join(a.rsplit("/", 1)[-1] for a in argv[:2])[:40]


def _machine_busy() -> float:
    """Seconds all cores spent not idle since boot (steal: a core the hypervisor gave away)."""
    t = psutil.cpu_times()
    return sum(getattr(t, f, 0.0) for f in ("user", "nice", "system", "irq", "softirq", "steal"))


@dataclass
class CpuSampler:
    """`with CpuSampler() as s: ...` then `s.busiest()`."""

    _first: dict[int, float] = field(default_factory=dict)
    _last: dict[int, float] = field(default_factory=dict)
    _names: dict[int, str] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _began: float = 0.0
    _ended: float = 0.0
    _machine: tuple[float, float] = (0.0, 0.0)  # busy seconds of all cores: at start, at end

    def _sample(self, first: bool) -> None:
        for proc in psutil.Process().children(recursive=True):
            try:
                times = proc.cpu_times()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            used = times.user + times.system
            if proc.pid not in self._names:
                self._names[proc.pid] = _label(proc)
                # born inside the window: all its CPU time was spent inside it
                self._first[proc.pid] = used if first else 0.0
            self._last[proc.pid] = used

    def _loop(self) -> None:
        while not self._stop.wait(EVERY):
            self._sample(first=False)

    def __enter__(self) -> CpuSampler:
        self._began = time.monotonic()
        self._machine = (_machine_busy(), 0.0)
        self._sample(first=True)
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self._sample(first=False)
        self._ended = time.monotonic()
        self._machine = (self._machine[0], _machine_busy())

    def machine(self) -> float:
        """Every process on the machine together (ours included), in cores."""
        span = max(self._ended - self._began, 1e-9)
        return (self._machine[1] - self._machine[0]) / span

    def total(self) -> float:
        """All our child processes together, in cores."""
        span = max(self._ended - self._began, 1e-9)
        return sum(self._last[p] - self._first[p] for p in self._last) / span

    def busiest(self, n: int = 4) -> list[Busy]:
        span = max(self._ended - self._began, 1e-9)
        busy = [
            Busy(pid, self._names[pid], (self._last[pid] - self._first[pid]) / span)
            for pid in self._last
        ]
        return sorted(busy, key=lambda b: b.cpu, reverse=True)[:n]
