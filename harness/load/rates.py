"""How many Locust users a traffic class needs to hold its arrival rate.

Locust is a closed model: a user starts its next request only after the last one ended. Each
user is paced to `rate / users` requests per second (what Locust's `constant_throughput` does),
i.e. one request every `period = users / rate` seconds. A request lasts at most `worst` seconds (every operation has a
timeout), so when `period >= worst` the next request is always due after the last one ended and
the class keeps its rate even when every request runs into its timeout:

    users = max(1, ceil(rate * worst))        per_user_rate = rate / users

Example: 112 calls at 20/s with a 2 s timeout and no hold time: worst = 2 * 2 s (INVITE, BYE),
users = 80, each user calls every 4 s.

With `arrivals: poisson` each user's requests come at exponential gaps instead (PoissonPacer),
with POISSON_SLACK times the users, so the class's arrivals are a seeded Poisson process.
"""

from __future__ import annotations

import math
import random

# A sanity bound: beyond this many users a single class would exhaust file descriptors and the
# two cores before it measured anything; the runner logs when the bound cuts a class short.
MAX_USERS_PER_GROUP = 2000


def users_for(rate: float, worst: float, cap: int = MAX_USERS_PER_GROUP) -> int:
    """Users needed so that `rate` arrivals per second hold while each request takes `worst`."""
    if rate <= 0:
        raise ValueError(f"a traffic rate must be positive, not {rate}")
    if worst <= 0:
        raise ValueError(f"a request's worst duration must be positive, not {worst}")
    # round() first: 20/s * 0.2 s is 4.000000000000001 in floating point, and needs 4 users
    return min(cap, max(1, math.ceil(round(rate * worst, 9))))


def period(rate: float, users: int) -> float:
    """Seconds between two requests of one user."""
    return users / rate


class Pacer:
    """When one user's requests are due: `first`, then every `period` seconds.

    Locust's `constant_throughput` counts the time before a user's first request (our staggered
    start) as a request that overran, and fires the first two back to back; this schedule is
    anchored instead. A request that overran its period shifts the schedule rather than
    bursting to catch up (with `users_for` it cannot overrun).
    """

    def __init__(self, first: float, period: float) -> None:
        self.due = first
        self.period = period

    def wait(self, now: float) -> float:
        """Called when a request ended: seconds until the next one is due."""
        self.due = max(self.due + self.period, now)
        return self.due - now


# A Poisson user's gaps are often shorter than their mean: it gets this many times the users
# paced arrivals need, so that few of its arrivals wait for the request before them.
POISSON_SLACK = 3.0


class PoissonPacer:
    """When one user's requests are due as a Poisson process of `rate` per second from
    `start`: exponential gaps drawn from `rng`, so the same seed gives the same arrival times.

    The drawn times are kept: a request that ran past the next arrival starts that one at
    once instead of shifting the rest, so the number of arrivals holds (the group's users add
    up to a Poisson process of the group's rate)."""

    def __init__(self, start: float, rate: float, rng: random.Random) -> None:
        if rate <= 0:
            raise ValueError(f"a Poisson rate must be positive, not {rate}")
        self.rate = rate
        self.rng = rng
        self.due = start + rng.expovariate(rate)

    def wait(self, now: float) -> float:
        """Called when a request ended: seconds until the next one is due (0: at once)."""
        self.due += self.rng.expovariate(self.rate)
        return max(0.0, self.due - now)
