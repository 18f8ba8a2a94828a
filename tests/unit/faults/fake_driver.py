"""An in-memory fault driver for unit tests: records every call, can be told to fail or to
lose effects (as a restarted Toxiproxy would)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.errors import HarnessError, ToxiproxyError
from harness.model.effects import AppFault, Effect, LinkDown, ProcessFault, Toxic

Key = tuple[str, str]


@dataclass(frozen=True)
class FakeUndo:
    """The fake's undo record: it names the driver and the effect; nothing can undo it."""

    name: str
    effect: str
    rank: ClassVar[int] = 3

    def to_dict(self) -> dict[str, Any]:
        return {"driver": "fake", "name": self.name, "label": self.effect}

    def label(self) -> str:
        return f"fake {self.name} {self.effect}"

    def undo(self) -> None:
        raise ValueError("a fake fault lives in its test's memory")


@dataclass
class _Failure:
    when: Callable[[str, Effect], bool]
    remaining: int | None  # None: for ever
    error: HarnessError


class FakeDriver:
    def __init__(
        self,
        name: str = "fake",
        kinds: tuple[type, ...] = (Toxic, LinkDown, ProcessFault, AppFault),
    ) -> None:
        self.name = name
        self.kinds = kinds
        self.calls: list[tuple[str, Effect]] = []
        self.active: dict[Key, Effect] = {}
        self.blind = False  # observed() cannot tell
        self.unreachable: HarnessError | None = None  # observed() raises this
        self.why: dict[Key, str] = {}  # what found() says about a lost effect
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()

    def fail(
        self,
        when: Callable[[str, Effect], bool] = lambda op, effect: True,
        times: int | None = None,
        error: HarnessError | None = None,
    ) -> None:
        """Make apply/remove calls for which `when(op, effect)` holds raise `error`."""
        self._failures.append(_Failure(when, times, error or ToxiproxyError("fake failure")))

    def heal(self) -> None:
        self._failures.clear()
        self.unreachable = None

    def lose(self, *effects: Effect, found: str = "lost") -> None:
        """Forget effects without being asked (all of them when none are given); `found` is
        what found() will say about them."""
        with self._lock:
            for effect in effects or tuple(self.active.values()):
                self.active.pop(effect.key, None)
                self.why[effect.key] = found

    def handles(self, effect: Effect) -> bool:
        return isinstance(effect, self.kinds)

    def apply(self, effect: Effect) -> None:
        self._call("apply", effect)
        with self._lock:
            self.active[effect.key] = effect

    def remove(self, effect: Effect) -> None:
        self._call("remove", effect)
        with self._lock:
            if self.active.get(effect.key) == effect:
                del self.active[effect.key]

    def observed(self) -> set[Effect] | None:
        if self.unreachable is not None:
            raise self.unreachable
        if self.blind:
            return None
        with self._lock:
            return set(self.active.values())

    def found(self, effect: Effect) -> str:
        with self._lock:
            return self.why.get(effect.key, "not observed")

    def undo_record(self, effect: Effect) -> FakeUndo:
        return FakeUndo(self.name, effect.label())

    def _call(self, op: str, effect: Effect) -> None:
        with self._lock:
            self.calls.append((op, effect))
            for failure in self._failures:
                if failure.remaining != 0 and failure.when(op, effect):
                    if failure.remaining is not None:
                        failure.remaining -= 1
                    raise failure.error
