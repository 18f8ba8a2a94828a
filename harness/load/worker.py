"""`harness worker --master HOST:PORT`: a Locust worker on this host joining a run's master.

The worker downloads the run's locustfile, with the load config inline, from the master
(Locust's `-f -`), runs its share of the users and relays every request to the master's
journal (journal_relay.py). It ends when the master ends the run, or when no master answers
within Locust's connect timeout. Its clock must agree with the master's (NTP): requests are
journaled at the worker's wall time.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from harness import procs
from harness.errors import InvalidInput
from harness.load.runner import STOP_GRACE, python_path


def master_address(text: str, option: str = "--master") -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise InvalidInput(f"{option} takes HOST:PORT, not {text!r}")
    return host, int(port)


def worker_argv(master: tuple[str, int]) -> list[str]:
    host, port = master
    return [
        sys.executable,
        "-m",
        "locust",
        "-f",
        "-",  # from the master
        "--worker",
        "--master-host",
        host,
        "--master-port",
        str(port),
        "--loglevel",
        "INFO",
    ]


def run_worker(master: tuple[str, int]) -> int:
    """Run one Locust worker until its master ends it; its exit code."""
    with tempfile.TemporaryDirectory(prefix="dc-worker-") as scratch:
        env = dict(os.environ, PYTHONPATH=python_path(), PYTHONUNBUFFERED="1", TMPDIR=scratch)
        env.pop("DC_LOAD_CONFIG", None)  # the master's config comes with its locustfile
        proc = procs.spawn(worker_argv(master), env=env, cwd=Path(scratch))
        try:
            return proc.wait()
        finally:
            procs.stop(proc, grace=STOP_GRACE)
