"""Calling a dependency the way the topology's policy says.

Each attempt gets the link's `timeout`; a failed one is tried `retries` more times. When every
attempt failed the caller decides what the policy's `required` and `fallback` mean for it:
`call` raises DependencyFailed, `call_optional` returns None for a dependency that is not
required (the service degrades), and services with a fallback (buffer, radio-sets,
backup-region) catch DependencyFailed and use it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from mock_services.core.config import Dependency
from mock_services.core.stats import Stats

T = TypeVar("T")


class DependencyError(Exception):
    """One attempt failed: the dependency answered, but not usefully (5xx, ERR, garbage)."""


class DependencyFailed(Exception):
    """Every attempt the policy allows failed."""

    def __init__(self, dependency: Dependency, reason: str) -> None:
        super().__init__(f"{dependency.service}: {reason}")
        self.dependency = dependency
        self.reason = reason


def describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__


async def call(dependency: Dependency, attempt: Callable[[], Awaitable[T]], stats: Stats) -> T:
    """Run `attempt` under the link's timeout, 1 + retries times at most."""
    reason = "no attempt"
    for number in range(dependency.retries + 1):
        if number:
            stats.inc(f"dep.{dependency.service}.retry")
        try:
            async with asyncio.timeout(dependency.timeout):
                result = await attempt()
        except (TimeoutError, OSError, DependencyError) as exc:
            reason = describe(exc)
            continue
        stats.inc(f"dep.{dependency.service}.ok")
        return result
    stats.inc(f"dep.{dependency.service}.fail")
    raise DependencyFailed(dependency, reason)


async def call_optional(
    dependency: Dependency, attempt: Callable[[], Awaitable[T]], stats: Stats
) -> T | None:
    """Like `call`, but a dependency that is not required gives None instead of failing."""
    try:
        return await call(dependency, attempt, stats)
    except DependencyFailed:
        if dependency.required:
            raise
        stats.inc(f"dep.{dependency.service}.degraded")
        return None
