"""Calling a dependency with its policy: timeout per attempt, retries, required or not."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from mock_services.core import policy
from mock_services.core.config import Dependency
from mock_services.core.policy import DependencyError, DependencyFailed
from mock_services.core.stats import Stats

T = TypeVar("T")


def dependency(**policy_fields: object) -> Dependency:
    return Dependency(
        "police-ict", "police-ict", "gms->police-ict", "127.0.0.1", 1, **policy_fields
    )  # type: ignore[arg-type]


class Script:
    """An attempt that fails the first `failures` times (slowly, or with an error)."""

    def __init__(self, failures: int, how: str = "error", delay: float = 0.0) -> None:
        self.failures, self.how, self.delay = failures, how, delay
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.failures:
            if self.how == "hang":
                await asyncio.sleep(10)
            if self.how == "refused":
                raise ConnectionRefusedError
            raise DependencyError("HTTP 503")
        await asyncio.sleep(self.delay)
        return "answer"


def run(call: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(call())  # type: ignore[arg-type]


def test_a_working_dependency_answers_on_the_first_attempt() -> None:
    stats, script = Stats(), Script(0)
    assert run(lambda: policy.call(dependency(), script, stats)) == "answer"
    assert script.calls == 1 and stats["dep.police-ict.ok"] == 1


def test_failed_attempts_are_retried_as_often_as_the_policy_says() -> None:
    stats, script = Stats(), Script(2)
    assert run(lambda: policy.call(dependency(retries=2), script, stats)) == "answer"
    assert script.calls == 3 and stats["dep.police-ict.retry"] == 2


def test_after_the_last_retry_the_dependency_has_failed_with_the_last_reason() -> None:
    stats, script = Stats(), Script(5, "refused")
    with pytest.raises(DependencyFailed, match="connection refused"):
        run(lambda: policy.call(dependency(retries=1), script, stats))
    assert script.calls == 2 and stats["dep.police-ict.fail"] == 1


def test_each_attempt_gets_the_timeout_and_no_more() -> None:
    script = Script(5, "hang")
    started = time.monotonic()
    with pytest.raises(DependencyFailed, match="timeout"):
        run(lambda: policy.call(dependency(timeout=0.05, retries=2), script, Stats()))
    elapsed = time.monotonic() - started
    assert script.calls == 3
    assert 0.15 <= elapsed < 0.6


def test_a_slow_answer_within_the_timeout_is_an_answer() -> None:
    result = run(lambda: policy.call(dependency(timeout=0.5), Script(0, delay=0.05), Stats()))
    assert result == "answer"


def test_an_optional_dependency_that_fails_gives_none_and_is_counted_as_degraded() -> None:
    stats = Stats()
    assert run(lambda: policy.call_optional(dependency(required=False), Script(9), stats)) is None
    assert stats["dep.police-ict.degraded"] == 1


def test_a_required_dependency_that_fails_still_fails_through_call_optional() -> None:
    with pytest.raises(DependencyFailed):
        run(lambda: policy.call_optional(dependency(required=True), Script(9), Stats()))


def test_a_cancelled_caller_is_not_mistaken_for_a_failed_attempt() -> None:
    script = Script(5, "hang")

    async def cancel_soon() -> None:
        task = asyncio.ensure_future(policy.call(dependency(timeout=5), script, Stats()))
        await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(cancel_soon())
    assert script.calls == 1
