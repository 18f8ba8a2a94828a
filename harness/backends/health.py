"""Waiting until parts of a stack answer, with an error that names the parts that do not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from harness.backends import probes
from harness.errors import StackError
from harness.model.program import Health
from harness.model.stack import Endpoint
from harness.model.topology import Service

Check = Callable[[], Coroutine[Any, Any, bool]]


class Unhealthy(StackError):
    """Some services did not come up; `services` names them."""

    def __init__(self, message: str, services: list[str]) -> None:
        super().__init__(message)
        self.services = services


def check(health: Health, host: str, port: int, timeout: float = 0.5) -> Check:
    """The check `health` describes, against host:port (probes.py does the talking)."""
    return lambda: probes.probe(health, Endpoint(host, port), timeout)


def service_checks(
    services: Mapping[str, Service], host: str, port_of: Callable[[str], int], timeout: float
) -> tuple[dict[str, Check], dict[str, float]]:
    """Each service's check on `host:port_of(name)` and how long it may take to pass: a mock
    `timeout`, a team's program its own start_timeout."""
    checks = {n: check(s.health, host, port_of(n)) for n, s in services.items()}
    limits = {
        n: s.program.start_timeout if s.program is not None else timeout
        for n, s in services.items()
    }
    return checks, limits


async def wait_healthy(
    checks: Mapping[str, Check],
    timeout: float | Mapping[str, float],
    alive: Mapping[str, object] | None = None,
) -> None:
    """Run every `name -> check` until all pass; Unhealthy naming the rest after `timeout`
    (one for all, or per name).

    `alive` optionally maps names to objects with `poll()` (Popen): a part that exits while we
    wait fails at once instead of after the timeout."""
    pending = dict(checks)
    start = time.monotonic()
    limit = timeout if isinstance(timeout, Mapping) else dict.fromkeys(checks, timeout)
    while pending:
        results = await asyncio.gather(*(check() for check in pending.values()))
        for name, ok in zip(list(pending), results, strict=True):
            if ok:
                del pending[name]
        if alive is not None:
            dead = [n for n in pending if getattr(alive.get(n), "poll", lambda: None)() is not None]
            if dead:
                names = ", ".join(sorted(dead))
                raise Unhealthy(f"{names} exited during start-up (see its log)", dead)
        late = sorted(n for n in pending if time.monotonic() - start > limit[n])
        if late:
            waited = ", ".join(f"{n} after {limit[n]:g}s" for n in late)
            raise Unhealthy(f"not healthy: {waited}", late)
        if pending:
            await asyncio.sleep(0.03)
