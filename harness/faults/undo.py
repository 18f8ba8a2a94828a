"""Undo records: how to end one applied fault from any process, at any time.

Each driver owns its record type, beside it (toxics.py, process.py, container.py, app.py), and
hands one out for every effect it applies (`Undoable.undo_record`). The reconciler stores them in
`.harness/applied.json` through `to_dict()`; `harness cleanup` reads them back through the
registry (faults/undo_registry.py) and calls `undo()`, which needs nothing but the record: a
run that died by kill -9 is cleaned up from another process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


class Gone(Exception):
    """The thing to undo no longer exists, and its fault went with it."""


class UndoRecord(Protocol):
    """One applied fault's undo. `undo()` raises Gone when there is nothing left to undo, and
    a HarnessError or ValueError when undoing failed; `rank` orders clean-up (processes first,
    so a paused service can answer its control API; then app faults; then Toxiproxy)."""

    rank: ClassVar[int]

    def to_dict(self) -> dict[str, Any]: ...

    def label(self) -> str: ...

    def undo(self) -> None: ...


@dataclass(frozen=True)
class Unknown:
    """A record no driver here can undo: one of a driver without undo records (kept as its
    name), or one read back that names an unknown driver or lacks what its driver needs."""

    raw: dict[str, Any]
    reason: str = "no way to undo it here"
    rank: ClassVar[int] = 3  # last

    def to_dict(self) -> dict[str, Any]:
        return dict(self.raw)

    def label(self) -> str:
        return json.dumps(self.raw, sort_keys=True)

    def undo(self) -> None:
        raise ValueError(self.reason)


def text(raw: Mapping[str, Any], key: str) -> str:
    """A record's string field; KeyError or TypeError when a stored record lacks it."""
    value = raw[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string: {value!r}")
    return value


def optional_text(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    return None if value is None else text(raw, key)
