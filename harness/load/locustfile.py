"""The locustfile the runner starts: `python -m locust -f harness/load/locustfile.py ...`.

It reads the load config named by `DC_LOAD_CONFIG`, defines one user class per group, and in
every process that runs users appends each request to the run's journal (its own writer on the
shared file, flushed every 100 ms and when Locust stops).
"""

from __future__ import annotations

import atexit
import ctypes
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
from harness.load.config import LoadConfig
from harness.load.recorder import Recorder
from harness.load.users import user_class

FLUSH_EVERY = 0.1  # seconds: the harness tails the journal live
_PR_SET_PDEATHSIG = 1

LOAD = LoadConfig.load(Path(os.environ["DC_LOAD_CONFIG"]))

for _group in LOAD.groups:  # Locust finds user classes among this module's globals
    globals()[_group.name] = user_class(_group, LOAD)


def _die_with_master() -> None:
    """Workers forked by `--processes` are no children of the harness: make them end with
    their master, which itself ends with the harness (harness.procs)."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the master died before prctl took effect
        os._exit(1)


def _record_requests(environment: Any, runner: Any, **_: Any) -> None:
    if isinstance(runner, MasterRunner):
        return  # the master runs no users; its workers record their own requests
    if isinstance(runner, WorkerRunner):
        _die_with_master()
    writer = JournalWriter(Path(LOAD.journal), flush_every=FLUSH_EVERY)
    recorder = Recorder(writer, LOAD.wall_start, LOAD.marks)
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
    if not isinstance(runner, WorkerRunner):
        gevent.spawn(_quit_when_done, runner)


def _quit_when_done(runner: Any) -> None:
    """Locust's run time covers `end` plus the drain, the longest a request may take. No user
    starts a request after `end` and each then stops, so once none is left every request has
    finished: quit instead of waiting out the rest of the drain, once Locust's statistics CSV
    (rewritten every CSV_STATS_INTERVAL_SEC, not at quit) has them too. (With `--processes`
    the workers keep the drain; their master ends them.)"""
    gevent.sleep(max(0.0, LOAD.end - time.time()))
    while runner.user_count:
        gevent.sleep(0.1)
    gevent.sleep(CSV_STATS_INTERVAL_SEC + 0.25)
    runner.quit()


events.init.add_listener(_record_requests)  # type: ignore[no-untyped-call]
