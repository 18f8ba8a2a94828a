"""What a search leaves behind: the smallest failure as a scenario file `harness run`
reproduces (same replay, same seed, same verdict), its explanation, and a line per example."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.explore.example import Examples
from harness.explore.runner import CONSOLE
from harness.explore.schedule import size_text
from harness.explore.search import Tried

REPRODUCER = "reproducer.yaml"
EXPLANATION = "explanation.txt"
EXAMPLES = "examples.jsonl"


@dataclass(frozen=True)
class Found:
    """The search as the user asked for it (`command`) and what it saw."""

    command: str
    scenario: str  # the base scenario's name
    tried: list[Tried]
    smallest: Tried | None
    ended: str  # why the search ended, in words

    @property
    def first(self) -> Tried | None:
        return next((t for t in self.tried if t.failed), None)


def write_found(found: Found, examples: Examples, replay: float, folder: Path) -> Path | None:
    """examples.jsonl always; reproducer.yaml and explanation.txt when something failed."""
    with (folder / EXAMPLES).open("w", encoding="utf-8") as out:
        for t in found.tried:
            out.write(json.dumps(_line(t)) + "\n")
    if found.smallest is None:
        return None
    smallest = found.smallest
    data = examples.data_for(smallest.schedule, replay)
    data["name"] = f"{found.scenario}-reproducer"[:60]
    data["description"] = (
        f"The smallest schedule `harness explore` found that breaks: {smallest.summary}"
    )
    path = examples.write(data, folder / REPRODUCER, _header(found, smallest))
    (folder / EXPLANATION).write_text(explanation(found), encoding="utf-8")
    return path


def _line(t: Tried) -> dict[str, Any]:
    faults, seconds = t.schedule.size
    return {
        "example": t.number,
        "failed": t.failed,
        "faults": faults,
        "window_seconds": seconds,
        "schedule": t.schedule.describe(),
        "broke": t.summary if t.failed else None,
        "report": str(t.report_dir),
    }


def _header(found: Found, smallest: Tried) -> str:
    return (
        f"Found by: {found.command}\n"
        f"The smallest failing schedule (example {smallest.number} of {len(found.tried)} run).\n"
        f"It breaks: {smallest.summary}\n"
        f"Reproduce: harness run {REPRODUCER} (from this folder)"
    )


def explanation(found: Found) -> str:
    """In words: the schedule, the faults, what broke and by how much, and why (the run's
    own summary with its why-lines), and how it compares with the first failure."""
    smallest, first = found.smallest, found.first
    assert smallest is not None and first is not None
    lines = [
        f"{found.command}",
        f"{len(found.tried)} examples run, {sum(t.failed for t in found.tried)} failed; "
        f"{found.ended}.",
        "",
        f"smallest failure: example {smallest.number} ({size_text(smallest.schedule.size)})",
        *(f"  fault: {t.describe()}" for t in smallest.schedule.trials),
        f"  broke: {smallest.summary}",
        f"first failure:    example {first.number} ({size_text(first.schedule.size)})",
        *(f"  fault: {t.describe()}" for t in first.schedule.trials),
        "",
        f"the smallest failure's run ({smallest.report_dir}):",
        (smallest.report_dir / CONSOLE).read_text(encoding="utf-8").rstrip(),
    ]
    return "\n".join(lines) + "\n"
