"""Load-run test helpers: wait for a run, cut links during it, pick requests by time."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.journal import Request, read_events
from harness.load.runner import LocustRun
from harness.toxiproxy.client import ToxiproxyClient


def finish(runner: LocustRun) -> list[Request]:
    """Wait for the run to end by itself, with its whole process group; its requests."""
    code = runner.wait(runner.expected_end - time.time() + 5)
    assert code == 0, (runner.log_file.read_text()[-3000:], code)
    assert runner.proc is not None
    assert group_gone(runner.proc.pid)
    return requests(runner)


def requests(runner: LocustRun) -> list[Request]:
    return [e for e in read_events(Path(runner.config.journal)) if isinstance(e, Request)]


def group_gone(pgid: int) -> bool:
    """No process is left in the process group (Locust, its forked workers)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def between(reqs: list[Request], start: float, end: float) -> list[Request]:
    return [r for r in reqs if start <= r.wall < end]


@dataclass(frozen=True)
class Flap:
    """When a test took links down and up again, as the test thread saw it."""

    disabling: float  # requests before this saw the links up
    down: float  # from here ...
    enabling: float  # ... to here they were surely down
    up: float  # and from here up again


def flap(toxiproxy: ToxiproxyClient, links: Sequence[str], down: float, up: float) -> Flap:
    """Take `links` down at wall time `down` and up again at `up`."""
    time.sleep(max(0.0, down - time.time()))
    disabling = time.time()
    for link in links:
        toxiproxy.set_enabled(link, False)
    down_from = time.time()
    time.sleep(max(0.0, up - time.time()))
    enabling = time.time()
    for link in links:
        toxiproxy.set_enabled(link, True)
    return Flap(disabling, down_from, enabling, time.time())
