"""The applied-state file `.harness/applied.json`: what this harness has in force right now.

Written atomically (temporary file, then rename) before and after every change, so a run that
dies by kill -9 leaves a list `harness cleanup` can undo from another process. Every entry holds
the effect and its driver's undo record: the Toxiproxy API and proxy, the supervisor socket and
service, the control URL of an app fault, or the container. Listing something that never got
applied is harmless (clean-up tolerates things already gone); missing something is not.

    {"version": 1, "pid": 123, "toxiproxy": "127.0.0.1:8474",
     "effects": [{"effect": {"kind": "Toxic", "fault": ..., ...},
                  "undo": {"driver": "toxiproxy", "api": ..., "proxy": ..., "toxic": "dc.x"}}]}

Undo records by driver, each a typed record beside its driver (faults/undo.py), read back
through faults/undo_registry.py:
    toxiproxy  {"api", "proxy", "toxic"} or {"api", "proxy", "enable": true}   toxics.py
    process    {"socket", "service", "undo": "CONT" | "start"}                 process.py
    app        {"url"}                        DELETE it                        app.py
    docker     {"container", "undo": "unpause" | "start"}                      container.py
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from harness.faults.undo import UndoRecord
from harness.model.effects import Effect

VERSION = 1


@dataclass(frozen=True)
class Entry:
    effect: Effect
    undo: UndoRecord

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect": {"kind": type(self.effect).__name__, **asdict(self.effect)},
            "undo": self.undo.to_dict(),
        }


@dataclass(frozen=True)
class AppliedState:
    """applied.json as read back: plain records, enough to undo without the scenario (the
    undo records are decoded by faults/undo_registry.py)."""

    toxiproxy: str | None
    entries: list[dict[str, Any]] = field(default_factory=list)

    @property
    def undo_records(self) -> list[dict[str, Any]]:
        return [dict(e.get("undo") or {}) for e in self.entries]


class AppliedStore:
    def __init__(self, path: Path, toxiproxy: str | None = None) -> None:
        self.path = path
        self.toxiproxy = toxiproxy  # swept for dc.* toxics by clean-up, whatever is listed

    def save(self, entries: Iterable[Entry]) -> None:
        document = {
            "version": VERSION,
            "pid": os.getpid(),
            "toxiproxy": self.toxiproxy,
            "effects": [e.to_dict() for e in entries],
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(document, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, self.path)

    def delete(self) -> None:
        self.path.unlink(missing_ok=True)


def load(path: Path) -> AppliedState | None:
    """The recorded state, or None when there is no file. Raises ValueError when unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("effects"), list):
        raise ValueError(f"{path} is not an applied-state file")
    entries = [e for e in raw["effects"] if isinstance(e, dict)]
    toxiproxy = raw.get("toxiproxy")
    return AppliedState(toxiproxy if isinstance(toxiproxy, str) else None, entries)
