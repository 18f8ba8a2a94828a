"""The one small interface every fault driver implements (toxiproxy, process, container, app)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from harness.faults.undo import UndoRecord
from harness.model.effects import Effect


class Driver(Protocol):
    """Makes one family of effects real. `apply` and `remove` are idempotent and raise a
    HarnessError subclass on failure; `observed` reports what is really active right now (for
    self-healing after, say, a Toxiproxy restart), or None when the driver cannot tell."""

    name: str

    def handles(self, effect: Effect) -> bool: ...

    def apply(self, effect: Effect) -> None: ...

    def remove(self, effect: Effect) -> None: ...

    def observed(self) -> set[Effect] | None: ...


@runtime_checkable
class Undoable(Protocol):
    """A driver that can say how to undo an effect from another process (`harness cleanup`
    after kill -9): its own typed record (faults/undo.py), stored in .harness/applied.json."""

    def undo_record(self, effect: Effect) -> UndoRecord: ...


@runtime_checkable
class Explains(Protocol):
    """A driver that can say what it saw instead of an applied effect its `observed()` left
    out, in a few words for the journal's Drift ("proxy enabled", "toxic missing")."""

    def found(self, effect: Effect) -> str: ...
