"""Scenario t = 0 waits for the whole load: no user starts before every user is in place.

Forking workers (`--processes`), importing and connecting take seconds that vary with the
machine; a t = 0 fixed before Locust started would let that start-up eat into scenario time
and read as an outage. So every user waits at this gate in its `on_start`; once the master (or
the one local runner) has all users spawned, it picks t = 0 a moment ahead, sends it to every
worker through Locust's messaging, and writes it to `READY_FILE` for the harness, which
journals the run-start with it. Imported only inside the Locust subprocess.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import gevent
from gevent.event import Event

from harness.load.config import READY_FILE, LoadConfig

GO = "dc-go"  # the message carrying t = 0 from the master to its workers
GO_MARGIN = 0.5  # seconds from "all users in place" to t = 0: the go reaches every worker first
SPAWN_REPORT_WAIT = 10.0  # seconds the master waits for its workers to report their users


class StartGate:
    """Holds users until t = 0 is known; then shifts the run's clock onto it."""

    def __init__(self, load: LoadConfig, user_classes: list[Any]) -> None:
        self.load = load
        self.user_classes = user_classes  # their `load` is shifted with the gate's
        self.opened = Event()
        self.workers = 1  # processes running users, each with its `worker_index`
        self.listeners: list[Any] = []  # called with the shifted config (the recorder)

    def wait(self) -> LoadConfig:
        self.opened.wait()
        return self.load

    def open(self, wall_start: float, workers: int = 1) -> None:
        """t = 0 at `wall_start`: the end moves with it, the replay keeps its length."""
        self.workers = max(1, workers)
        shift = wall_start - self.load.wall_start
        self.load = replace(self.load, wall_start=wall_start, end=self.load.end + shift)
        for cls in self.user_classes:
            cls.load = self.load
        for listener in self.listeners:
            listener(self.load)
        self.opened.set()

    def on_go(self, msg: Any, **_: Any) -> None:
        """Locust's custom message handler (workers, and a local runner sending to itself)."""
        self.open(float(msg.data["wall_start"]), int(msg.data["workers"]))


CURRENT: StartGate | None = None  # the locustfile's gate; None outside a harness-run Locust


def wait_for_start() -> int:
    """Each user's first step: hold until t = 0 is known (at once where no gate is set).
    Returns how many processes run users, so each user can take its own slot in the pacing."""
    if CURRENT is None:
        return 1
    CURRENT.wait()
    return CURRENT.workers


def announce_when_ready(runner: Any, gate: StartGate) -> None:
    """On the master or the local runner, after `spawning_complete`: wait until every user of
    every worker is counted, choose t = 0, tell the workers and the harness."""
    deadline = time.time() + SPAWN_REPORT_WAIT
    while runner.user_count < gate.load.users and time.time() < deadline:
        gevent.sleep(0.05)
    wall_start = max(gate.load.wall_start, time.time() + GO_MARGIN)
    workers = len(runner.clients) if hasattr(runner, "clients") else 0  # 0: a local runner
    runner.send_message(GO, {"wall_start": wall_start, "workers": workers})  # local: to itself
    if not gate.opened.is_set():
        gate.open(wall_start, workers)  # the master's own clock (it quits after the shifted end)
    ready = {"wall_start": wall_start, "users": runner.user_count, "workers": workers}
    write_atomically(Path(READY_FILE), json.dumps(ready))


def write_atomically(path: Path, text: str) -> None:
    """The harness polls the file: it must never read half of it."""
    part = path.with_name(path.name + ".part")
    part.write_text(text, encoding="utf-8")
    os.replace(part, path)
