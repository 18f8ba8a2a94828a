"""A run without a stack: a fake load that journals calls like Locust would, fake evidence
probes, and a tiny in-memory scenario and stack (no sockets, no subprocesses)."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from harness.errors import StackError
from harness.journal import JournalWriter, Request
from harness.model.scenario import Check, Fault, Scenario, TrafficLoad
from harness.model.stack import ServiceInfo, StackInfo
from harness.run.options import RunOptions
from tests.unit.schedule.scenarios import scenario

REPLAY = 1.0  # wall seconds: each run here takes about that long


class FakeLoad:
    """Journals `calls` answered callers-112 calls spread over the replay, at once; `dies`:
    stops as soon as it started (as Locust does when it cannot import its users)."""

    def __init__(self, journal: Path, report_dir: Path, start: float, duration: float) -> None:
        self.log_file = report_dir / "locust.log"
        self.start, self.duration = start, duration
        self.wall_start = start  # ready at once: t = 0 as asked
        self.dies = False
        self.stopped = False

    def journal_calls(self, journal: Path, calls: int) -> None:
        with JournalWriter(journal) as writer:
            for i in range(calls):
                wall = self.start + self.duration * i / calls
                t = i / calls * 100.0
                writer.write(Request(wall, t, "callers-112", True, 0.01, None, call_id=f"c{i}"))

    @property
    def expected_end(self) -> float:
        return self.start + self.duration

    def running(self) -> bool:
        return not self.dies and not self.stopped and time.time() < self.expected_end

    def wait(self, timeout: float | None = None) -> int | None:
        return 0

    def stop(self) -> int | None:
        self.stopped = True
        return 0


class LoadStarter:
    """Starts FakeLoads the way Run starts Locust, and keeps the one it started."""

    def __init__(self, calls: int = 20, dies: bool = False) -> None:
        self.calls, self.dies = calls, dies
        self.load: FakeLoad | None = None

    def __call__(
        self,
        scenario: Scenario,
        stack: StackInfo,
        journal: Path,
        report_dir: Path,
        wall_start: float,
        duration: float,
        processes: int,
    ) -> FakeLoad:
        self.load = FakeLoad(journal, report_dir, wall_start, duration)
        self.load.dies = self.dies
        self.load.journal_calls(journal, self.calls)
        return self.load


class FakeEvidence:
    """GMS holds every call once, unless `gms_down`: then it cannot be read."""

    def __init__(self, gms_down: bool = False) -> None:
        self.gms_down = gms_down
        self.closed = False

    def buffered(self) -> int:
        return 0

    def incidents(self) -> dict[str, int] | None:
        if self.gms_down:
            raise StackError("Connection refused")
        return {f"c{i}": 1 for i in range(1000)}

    def health(self) -> dict[str, bool]:
        return {"gms": not self.gms_down, "telephony": True}

    def close(self) -> None:
        self.closed = True


def stack() -> StackInfo:
    gms = ServiceInfo("gms", "gms", None, {"http": "127.0.0.1:9"})
    return StackInfo("local", "<test>", "127.0.0.1:9", {"gms": gms}, {})


def tiny_scenario(*faults: Fault, checks: tuple[Check, ...] = ()) -> Scenario:
    s = scenario(*faults, span=100.0, replay=REPLAY)
    return replace(s, load=(TrafficLoad("callers-112", 20.0),), assertions=checks)


def options(tmp: Path) -> RunOptions:
    return RunOptions(state_dir=tmp / "state", report_dir=tmp / "report", live=False, lead=0.0)


def quiet() -> Console:
    return Console(file=io.StringIO(), width=140)
