"""The undo records by driver name: how a stored record of applied.json is read back.

One entry per driver; a new fault driver adds its record type beside itself and one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from harness.faults import toxics
from harness.faults.app import AppUndo
from harness.faults.container import ContainerUndo
from harness.faults.process import ProcessUndo
from harness.faults.undo import UndoRecord, Unknown

Decoder = Callable[[Mapping[str, Any]], UndoRecord]

DECODERS: dict[str, Decoder] = {
    "toxiproxy": toxics.undo_from_dict,
    "process": ProcessUndo.from_dict,
    "app": AppUndo.from_dict,
    "docker": ContainerUndo.from_dict,
}


def decode(raw: Mapping[str, Any]) -> UndoRecord:
    """The typed record; Unknown for a driver this harness cannot undo from here, or for a
    record that lacks what its driver needs (clean-up reports it as failed)."""
    decoder = DECODERS.get(str(raw.get("driver")))
    if decoder is None:
        return Unknown(dict(raw))
    try:
        return decoder(raw)
    except (KeyError, TypeError, ValueError) as exc:
        return Unknown(dict(raw), f"unreadable undo record ({exc})")
