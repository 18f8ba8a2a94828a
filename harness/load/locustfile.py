"""The locustfile the runner starts: `python -m locust -f harness/load/locustfile.py ...`.

It reads the load config named by `DC_LOAD_CONFIG`, defines one user class per group, holds
every user at the start gate until t = 0 is known (start_gate.py), and journals each request:
a local runner writes the run's journal itself; with workers, each worker relays its requests
to the master through Locust's messaging and the master alone writes the journal
(journal_relay.py). Lines are flushed every 100 ms and when Locust stops.
"""

from __future__ import annotations

import atexit
import ctypes
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import gevent
from locust import events
from locust.runners import MasterRunner, WorkerRunner
from locust.stats import CSV_STATS_INTERVAL_SEC

from harness.journal import JournalWriter
from harness.load import start_gate
from harness.load.config import LoadConfig
from harness.load.journal_relay import RECORDS, RelayWriter, receive_into
from harness.load.recorder import Recorder
from harness.load.start_gate import GO, StartGate, announce_when_ready
from harness.load.users import user_class

FLUSH_EVERY = 0.1  # seconds: the harness tails the journal live
_PR_SET_PDEATHSIG = 1

# The config inline (a worker on another host, run_locustfile.py) or in the report dir
_INLINE = os.environ.get("DC_LOAD_CONFIG_JSON")
LOAD = (
    LoadConfig.from_dict(json.loads(_INLINE))
    if _INLINE
    else LoadConfig.load(Path(os.environ["DC_LOAD_CONFIG"]))
)

USER_CLASSES = [user_class(group, LOAD) for group in LOAD.groups]
# Locust finds user classes among this module's globals (each once: no loop variable)
globals().update({cls.__name__: cls for cls in USER_CLASSES})
GATE = StartGate(LOAD, USER_CLASSES)
start_gate.CURRENT = GATE


def _die_with_master() -> None:
    """Workers forked by `--processes` are no children of the harness: make them end with
    their master, which itself ends with the harness (harness.procs)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the master died before prctl took effect
        os._exit(1)


def _open_gate_when_spawned(environment: Any, runner: Any) -> None:
    """Who sends t = 0 (the master, or a local runner to itself) and who hears it."""
    if not isinstance(runner, MasterRunner):
        runner.register_message(GO, GATE.on_go)
    if isinstance(runner, WorkerRunner):
        return

    def spawned(**_: Any) -> None:
        gevent.spawn(announce_when_ready, runner, GATE)

    environment.events.spawning_complete.add_listener(spawned)
    gevent.spawn(_quit_when_done, runner)


def _journal_of(runner: Any) -> JournalWriter | RelayWriter:
    """Where this process's journal lines go: a worker relays them to its master (it may run
    on another host), the master or a local runner writes the run's one journal."""
    if isinstance(runner, WorkerRunner):
        _die_with_master()
        return RelayWriter(runner.send_message)
    writer = JournalWriter(Path(LOAD.journal), flush_every=FLUSH_EVERY)
    if isinstance(runner, MasterRunner):
        runner.register_message(RECORDS, receive_into(writer))
    return writer


def _record_requests(environment: Any, runner: Any, **_: Any) -> None:
    _open_gate_when_spawned(environment, runner)
    writer = _journal_of(runner)
    if not isinstance(runner, MasterRunner):  # the master runs no users
        recorder = Recorder(writer, LOAD.wall_start, LOAD.marks)
        GATE.listeners.append(lambda load: setattr(recorder, "wall_start", load.wall_start))
        environment.events.request.add_listener(recorder.on_request)

    def flush_loop() -> None:
        while True:
            gevent.sleep(FLUSH_EVERY)
            writer.flush()

    flusher = gevent.spawn(flush_loop)

    def close(**_: Any) -> None:
        flusher.kill(block=False)
        writer.close()

    environment.events.test_stop.add_listener(lambda **_: writer.flush())
    environment.events.quitting.add_listener(close)
    atexit.register(close)  # also when a worker exits without Locust's quitting event


def _quit_when_done(runner: Any) -> None:
    """Locust's run time covers `end` plus the drain, the longest a request may take, plus
    the wait for t = 0. No user starts a request after `end` and each then stops, so once none
    is left every request has finished: quit instead of waiting out the rest of the drain, once
    Locust's statistics CSV (rewritten every CSV_STATS_INTERVAL_SEC, not at quit) has them too.
    A master counts its workers' users from their reports: it waits for at most the drain."""
    load = GATE.wait()
    gevent.sleep(max(0.0, load.end - time.time()))
    while runner.user_count and time.time() < load.end + load.drain:
        gevent.sleep(0.1)
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.25)
    runner.quit()


events.init.add_listener(_record_requests)  # type: ignore[no-untyped-call]
