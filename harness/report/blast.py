"""The blast-radius matrix for the reports: faults x traffic classes, predicted vs observed.

A cell of the matrix folds a fault's cells for one traffic class over its regions, worst
status first, so the hidden coupling (unexpected damage) is what a reader sees first; the
regions it happened in and how the design says damage could reach it go along.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from harness.assertions.blast_radius import (
    AS_PREDICTED,
    MISSED,
    UNEXPECTED,
    UNHARMED,
    Cell,
    unexpected_damage,
)
from harness.assertions.damage import UNDECIDED

WORST_FIRST = (UNEXPECTED, MISSED, AS_PREDICTED, UNDECIDED, UNHARMED)
CSS = {
    UNEXPECTED: "unexpected",
    MISSED: "missed",
    AS_PREDICTED: "predicted",
    UNDECIDED: "undecided",
    UNHARMED: "unharmed",
}


@dataclass(frozen=True)
class Square:
    """One fault x traffic square of the matrix."""

    status: str
    regions: tuple[str, ...]  # where the status holds ("" is national)
    why: str  # the predicted path of damage, if any

    @property
    def css(self) -> str:
        return CSS[self.status]

    @property
    def text(self) -> str:
        named = [r for r in self.regions if r]
        return self.status + (f" ({', '.join(named)})" if named else "")


@dataclass(frozen=True)
class Matrix:
    traffic: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Square | None, ...]], ...]  # fault, a square per traffic
    unexpected: int


def matrix(cells: list[Cell]) -> Matrix:
    traffic = tuple(sorted({c.observed.traffic for c in cells}))
    faults = sorted({c.observed.fault for c in cells})
    rows = []
    for fault in faults:
        mine = [c for c in cells if c.observed.fault == fault]
        rows.append(
            (fault, tuple(_square([c for c in mine if c.observed.traffic == t]) for t in traffic))
        )
    return Matrix(traffic, tuple(rows), unexpected_damage(cells))


def _square(cells: list[Cell]) -> Square | None:
    if not cells:
        return None
    status = min((c.status for c in cells), key=WORST_FIRST.index)
    chosen = [c for c in cells if c.status == status]
    why = next((c.why for c in chosen if c.why), "")
    return Square(status, tuple(sorted(c.observed.region for c in chosen)), why)


def to_json(cells: list[Cell]) -> dict[str, Any]:
    return {
        "unexpected_damage": unexpected_damage(cells),
        "cells": [
            {
                "fault": c.observed.fault,
                "traffic": c.observed.traffic,
                "region": c.observed.region or None,
                "status": c.status,
                "predicted": c.predicted,
                "why": c.why or None,
                "ratio": c.observed.ratio,
                "baseline_ratio": c.observed.baseline_ratio,
                "samples": c.observed.samples,
                "baseline_samples": c.observed.baseline,
            }
            for c in cells
        ],
    }


def headline(cells: list[Cell]) -> str:
    """One line for the console: the hidden couplings, or that the damage was as designed."""
    unexpected = [c for c in cells if c.status == UNEXPECTED]
    if not unexpected:
        judged = sum(1 for c in cells if c.status != UNDECIDED)
        return f"blast radius: no unexpected damage ({judged} of {len(cells)} cells judged)"
    hurt = Counter((c.observed.fault, c.observed.traffic) for c in unexpected)
    named = "; ".join(f"{f} hurt {t} ({n} cells)" for (f, t), n in sorted(hurt.items()))
    return f"blast radius: {len(unexpected)} cells of unexpected damage (hidden coupling): {named}"
