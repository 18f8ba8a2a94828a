"""The run journal: one JSON object per line for every request, fault transition,
drift, probe and halt.

Assertions and reports are computed from the journal alone, so `harness report DIR` can
re-evaluate a finished run. Several processes (the harness, each Locust worker) append to the
same file: each batch goes out in one write(2) on an O_APPEND descriptor, so lines never
interleave. A torn last line (after kill -9) is skipped on reading.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from harness.clock import Marks, interpolate, linear


@dataclass(frozen=True)
class Event:
    kind: ClassVar[str] = "event"
    wall: float  # unix time, seconds
    t: float  # scenario time, seconds since clock start

    def to_json(self) -> str:
        return json.dumps(event_dict(self), separators=(",", ":"))


@dataclass(frozen=True)
class RunStart(Event):
    kind: ClassVar[str] = "run-start"
    scenario: str
    seed: int
    clock_start: str  # ISO scenario time at t=0
    span: float  # scenario seconds
    replay: float  # wall seconds
    backend: str = "local"
    file: str = ""
    topology: str = ""  # the topology file the run used (`--topology` may differ from the file's)
    # The load as planned and the topology's regions, so assertions judged from the journal
    # alone can fail a region that got no requests, and tell who answered from where.
    regions: dict[str, list[str]] = field(default_factory=dict)  # traffic -> its regions
    service_regions: dict[str, str] = field(default_factory=dict)  # service -> its region
    # The clock's marks, (scenario s, wall s since `wall`) pairs; none: one rate (older runs).
    marks: list[list[float]] = field(default_factory=list)
    # The predicted blast radius (harness/model/blast.py): fault -> traffic -> region ("" for a
    # national class) -> why it can be hurt there; None: not predicted (older runs).
    blast: dict[str, dict[str, dict[str, str]]] | None = None

    @cached_property
    def clock_marks(self) -> Marks:
        """The marks as the clock uses them, built once per run-start (read per request)."""
        if len(self.marks) >= 2:
            return tuple((float(t), float(w)) for t, w in self.marks)
        if self.span > 0 and self.replay > 0:
            return linear(self.span, self.replay)
        return linear(1.0, 1.0)  # no clock: scenario seconds are wall seconds

    def wall_at(self, t: float) -> float:
        """The wall time of scenario time `t` in this run."""
        marks = self.clock_marks
        return self.wall + interpolate(marks, t, 0) - interpolate(marks, self.t, 0)

    def scenario_at(self, wall: float) -> float:
        """The scenario time of wall time `wall` in this run."""
        marks = self.clock_marks
        return interpolate(marks, wall - self.wall + interpolate(marks, self.t, 0), 1)


@dataclass(frozen=True)
class Request(Event):
    """One unit of load: a call, a PTT, an office page, a dispatch."""

    kind: ClassVar[str] = "request"
    traffic: str
    ok: bool
    latency: float  # seconds
    region: str | None = None
    name: str = ""
    error: str | None = None
    call_id: str | None = None
    answered_by: str | None = None  # which meldkamer answered (alternate routing shows here)
    via: str | None = None  # dispatch: console | radio-sets
    worker: str | None = None  # the Locust worker that made it (its node id); None: no workers


@dataclass(frozen=True)
class Transition(Event):
    """A fault effect switched on or off; `scheduled` vs `wall` is the transition lag."""

    kind: ClassVar[str] = "transition"
    fault: str
    effect: str  # a readable label, e.g. "down police-ict->gms"
    target: str  # link or service
    on: bool
    scheduled: float  # wall time it was due
    ok: bool = True
    error: str | None = None

    @property
    def lag(self) -> float:
        return self.wall - self.scheduled


@dataclass(frozen=True)
class Drift(Event):
    """An applied fault effect found not in force, and what the reconciler did about it.

    `wall` is when it was observed back in force after the re-apply (or, `ok` false, when the
    reconciler gave up). It went missing some time after `last_seen` (the last observation of it
    in force: the verify before, or its apply) and was detected at `detected`, so `missing`
    (`wall - last_seen`, wall seconds) is an upper bound, over by at most the time between two
    verifies plus one observation; when it could not be re-applied, `missing` is how long it
    had been gone when the reconciler gave up: it stayed gone."""

    kind: ClassVar[str] = "drift"
    fault: str
    effect: str  # the effect's label, as in transitions
    target: str  # link or service
    expected: str  # e.g. "link down", "toxic dc.slow latency latency=3000"
    found: str  # e.g. "proxy enabled", "toxic missing", "proxy missing", "Toxiproxy restarted"
    done: str  # "re-applied", "restored proxies and re-applied", "could not re-apply: ..."
    last_seen: float  # wall time it was last observed in force
    detected: float  # wall time it was first observed missing
    missing: float  # wall seconds, last_seen to wall
    ok: bool = True  # back in force


@dataclass(frozen=True)
class Probe(Event):
    kind: ClassVar[str] = "probe"
    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class Incidents(Event):
    """End-of-run reconciliation: incident keys (112 Call-IDs) as GMS holds them, with counts."""

    kind: ClassVar[str] = "incidents"
    counts: dict[str, int] = field(default_factory=dict)
    pending: int = 0  # still buffered in meldkamers when the run ended


@dataclass(frozen=True)
class Halt(Event):
    kind: ClassVar[str] = "halt"
    check: str
    observed: float


@dataclass(frozen=True)
class RunEnd(Event):
    kind: ClassVar[str] = "run-end"
    verdict: str
    reason: str = ""


EVENTS: dict[str, type[Event]] = {
    cls.kind: cls for cls in (RunStart, Request, Transition, Drift, Probe, Incidents, Halt, RunEnd)
}


_FIELDS = {kind: frozenset(f.name for f in fields(cls)) for kind, cls in EVENTS.items()}


def decode(line: str) -> Event | None:
    """An event from one journal line, or None for a torn or unknown line. A line written by
    this version has exactly its class's fields; only another version's lines are filtered
    (a report reads a million of them: the filter cost a third of the decoding)."""
    try:
        raw = json.loads(line)
        kind = raw.pop("kind")
        cls = EVENTS[kind]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    try:
        return cls(**raw)
    except TypeError:  # a field this version does not know, or a torn line
        known = _FIELDS[kind]
        try:
            return cls(**{k: v for k, v in raw.items() if k in known})
        except TypeError:
            return None


class JournalWriter:
    """Appends events to journal.jsonl; thread-safe; flushes in whole-line batches."""

    def __init__(self, path: Path, flush_every: float = 0.1) -> None:
        self.path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._flush_every = flush_every
        self._last_flush = time.monotonic()

    def write(self, event: Event) -> None:
        with self._lock:
            self._lines.append(event.to_json())
            if time.monotonic() - self._last_flush >= self._flush_every:
                self._flush_locked()

    def flush(self) -> None:
        with self._lock:
            self._flush_locked()

    def _flush_locked(self) -> None:
        self._last_flush = time.monotonic()
        if not self._lines or self._fd < 0:
            return
        data = ("\n".join(self._lines) + "\n").encode()
        self._lines.clear()
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def close(self) -> None:
        with self._lock:
            self._flush_locked()
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> JournalWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_events(path: Path) -> Iterator[Event]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.strip() and (event := decode(line)) is not None:
                yield event


class JournalTail:
    """Reads events appended since the last call (the harness watches load as it happens)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._offset = 0
        self._partial = ""

    def read(self) -> list[Event]:
        try:
            with self.path.open("rb") as f:
                f.seek(self._offset)
                data = f.read()
        except FileNotFoundError:
            return []
        self._offset += len(data)
        text = self._partial + data.decode("utf-8", errors="replace")
        *complete, self._partial = text.split("\n")
        return [e for line in complete if line.strip() and (e := decode(line)) is not None]


def event_dict(event: Event) -> dict[str, Any]:
    # events are flat: a shallow copy will do, and it is the cost of every request written
    return {"kind": event.kind, **vars(event)}
