"""Predicted vs observed blast radius: one cell per fault x traffic class x region.

The prediction comes from the run-start (`blast`, journaled from harness/model/blast.py), the
observation from the journal's transitions and requests (damage.py), so a run's matrix can be
rebuilt from its journal alone. A cell is:
- "unexpected damage": damaged where the design says the fault must not reach - a coupling
  nobody wrote down, the headline finding (`unexpected_damage` counts these);
- "predicted, not observed": the fault could hurt, yet the traffic held - a fallback or a
  retry that worked, a degradation inside every timeout, or a window too short to tell;
- "as predicted", "unharmed as predicted";
- "not enough samples": too few requests while the fault alone was on, or without any fault,
  to say either way (never counted as unharmed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.assertions.damage import DAMAGED, UNDECIDED, Observed, observe
from harness.assertions.view import JournalView
from harness.journal import Event

UNEXPECTED = "unexpected damage"
MISSED = "predicted, not observed"
AS_PREDICTED = "as predicted"
UNHARMED = "unharmed as predicted"


@dataclass(frozen=True)
class Cell:
    observed: Observed
    predicted: bool  # the design says this fault can hurt this traffic in this region
    why: str  # how the damage reaches it, when predicted

    @property
    def status(self) -> str:
        if self.observed.verdict == UNDECIDED:
            return UNDECIDED
        damaged = self.observed.verdict == DAMAGED
        if damaged:
            return AS_PREDICTED if self.predicted else UNEXPECTED
        return MISSED if self.predicted else UNHARMED

    @property
    def label(self) -> str:
        o = self.observed
        return f"{o.fault} x {o.traffic}" + (f" in {o.region}" if o.region else "")


def blast_matrix(events: Iterable[Event] | JournalView) -> list[Cell] | None:
    """Every cell of the run, or None when the run-start carries no prediction."""
    view = events if isinstance(events, JournalView) else JournalView(events)
    if view.start is None or view.start.blast is None:
        return None
    blast = view.start.blast
    cells = []
    for o in observe(view, blast):
        regions = blast.get(o.fault, {}).get(o.traffic, {})
        why = regions.get(o.region, regions.get("")) if regions else None
        cells.append(Cell(o, why is not None, why or ""))
    return cells


def unexpected_damage(cells: Iterable[Cell]) -> int:
    """How many cells show damage the design says the fault must not cause."""
    return sum(1 for c in cells if c.status == UNEXPECTED)
