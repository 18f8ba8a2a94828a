"""What every harness-paced Locust user shares (users.py, generic.py, custom.py): its group,
the run's config, its place in time, its journal context, and how transport failures read.

Imported only inside the Locust subprocess (importing Locust monkey-patches with gevent).
"""

from __future__ import annotations

import itertools
import random
import time
from typing import Any, ClassVar

import gevent
from geventhttpclient.response import HTTPConnectionClosed
from geventhttpclient.useragent import EmptyResponse
from locust.env import Environment
from locust.exception import StopUser

from harness.load.config import LoadConfig, UserGroup
from harness.load.rates import Pacer, PoissonPacer, period
from harness.load.start_gate import wait_for_start
from harness.load.transport import OperationFailed, describe


class Paced:
    """What every user of a group shares: its group, the run's config, its place in time."""

    group: ClassVar[UserGroup]
    load: ClassVar[LoadConfig]
    environment: Environment  # from locust.User
    _count: ClassVar[itertools.count[int]]

    def _begin(self) -> None:
        workers = wait_for_start()  # t = 0 comes once every user of every worker is in place
        # users are numbered per process; the worker index keeps names apart across processes
        worker = getattr(self.environment.runner, "worker_index", 0)
        index = next(self._count)
        self.tag = f"{worker}-{index}"
        self.rng = random.Random(f"{self.load.seed}:{self.group.name}:{self.tag}")
        rate = self.group.rate
        if rate and self.group.arrivals == "poisson":
            # its own dice: the arrival times do not depend on what else the user draws
            dice = random.Random(f"{self.load.seed}:{self.group.name}:{self.tag}:arrivals")
            self.pacer: Pacer | PoissonPacer = PoissonPacer(
                self.load.wall_start, rate / self.group.users, dice
            )
            gevent.sleep(max(0.0, self.pacer.due - time.time()))
            return
        every = period(rate, self.group.users) if rate else 0.0
        # Evenly spaced first requests: arrivals stay regular, so a gap in successful calls
        # means the path was down, not that the dice left a hole (max_gap relies on this).
        # Locust deals a class's users to its workers in turn: interleave their slots likewise
        slot = (index * workers + worker + 0.5) % self.group.users
        self.pacer = Pacer(self.load.wall_start + every * slot / self.group.users, every)
        gevent.sleep(max(0.0, self.pacer.due - time.time()))

    def wait_time(self) -> float:
        """Locust asks after each request how long to wait before the next one; a next one
        due after `end` never comes, so the user stops at `end` instead of sleeping on."""
        now = time.time()
        return min(self.pacer.wait(now), max(0.0, self.load.end - now) + 0.01)

    def _check_end(self) -> None:
        if time.time() >= self.load.end:
            raise StopUser()  # requests started before `end` have finished by now

    @property
    def unit_name(self) -> str:
        return f"{self.group.region or 'national'}-{self.tag}"

    def context(self) -> dict[str, Any]:
        """Locust's request context for this user; the recorder journals what it names. A
        team's own user class may add its own (locust.User.context)."""
        own = getattr(super(), "context", None)
        return {
            **(own() if own else {}),
            "traffic": self.group.traffic,
            "region": self.group.region,
        }

    def _fire(self, kind: str, name: str, started: float, latency: float, **extra: Any) -> None:
        """Report a non-HTTP request to Locust; the journal recorder listens to the same event."""
        error = extra.pop("failure", None)
        self.environment.events.request.fire(  # type: ignore[no-untyped-call]
            request_type=kind,
            name=name,
            response_time=latency * 1000.0,
            response_length=0,
            exception=OperationFailed(error) if error else None,
            context={**self.context(), **extra},
            start_time=started,
        )


def transport_error(error: BaseException | None) -> str:
    """The same short reasons the SIP and C2000 clients give (`timeout`, `connection refused`)."""
    error = getattr(error, "original", None) or error  # geventhttpclient wraps what went wrong
    if error is None:
        return "no answer"
    if isinstance(error, gevent.Timeout | TimeoutError):
        return "timeout"
    if isinstance(error, EmptyResponse | HTTPConnectionClosed):
        return "connection closed by peer"
    return describe(error)
