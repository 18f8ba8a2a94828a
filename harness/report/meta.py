"""What the report says about the scenario besides the journal: its words, sources, faults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.assertions.view import JournalView
from harness.model.scenario import Scenario


@dataclass(frozen=True)
class FaultNote:
    """A scenario fault as the report explains it: sourced, or marked as an assumption."""

    name: str
    description: str = ""
    source: str | None = None
    assumption: str | None = None


@dataclass(frozen=True)
class ScenarioMeta:
    name: str
    file: str = ""
    description: str = ""
    seed: int | None = None
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    faults: tuple[FaultNote, ...] = ()

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ScenarioMeta:
        faults = tuple(
            FaultNote(f.name, f.description, f.source, f.assumption) for f in scenario.faults
        )
        return cls(
            scenario.name,
            scenario.file,
            scenario.description,
            scenario.seed,
            scenario.sources,
            scenario.assumptions,
            faults,
        )

    @classmethod
    def from_journal(cls, view: JournalView) -> ScenarioMeta:
        """The little the journal itself knows (a re-render without the scenario file)."""
        if view.start is None:
            return cls("unknown")
        return cls(view.start.scenario, view.start.file, seed=view.start.seed)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "file": self.file,
            "description": self.description,
            "sources": list(self.sources),
            "assumptions": list(self.assumptions),
            "faults": [vars(f) for f in self.faults],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], seed: int | None = None) -> ScenarioMeta:
        """Back from summary.json's `scenario` block; raises KeyError/TypeError when malformed."""
        return cls(
            str(data["name"]),
            str(data.get("file", "")),
            str(data.get("description", "")),
            seed,
            tuple(str(s) for s in data.get("sources", ())),
            tuple(str(a) for a in data.get("assumptions", ())),
            tuple(FaultNote(**f) for f in data.get("faults", ())),
        )
