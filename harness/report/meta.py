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
class CheckNote:
    """An assertion or halt condition's source and assumption (its threshold, its scaling)."""

    name: str
    source: str | None = None
    assumption: str | None = None
    halt: bool = False


@dataclass(frozen=True)
class Provenance:
    """One line of the report's Sources or Assumptions list; `of` names the fault, assertion
    or halt it belongs to ("" for the scenario as a whole)."""

    text: str
    of: str = ""


@dataclass(frozen=True)
class ScenarioMeta:
    name: str
    file: str = ""
    description: str = ""
    seed: int | None = None
    sources: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    faults: tuple[FaultNote, ...] = ()
    checks: tuple[CheckNote, ...] = ()

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> ScenarioMeta:
        faults = tuple(
            FaultNote(f.name, f.description, f.source, f.assumption) for f in scenario.faults
        )
        checks = tuple(
            CheckNote(c.name, c.source, c.assumption, halt)
            for halt, group in ((False, scenario.assertions), (True, scenario.halts))
            for c in group
        )
        return cls(
            scenario.name,
            scenario.file,
            scenario.description,
            scenario.seed,
            scenario.sources,
            scenario.assumptions,
            faults,
            checks,
        )

    def all_sources(self) -> list[Provenance]:
        """The scenario's sources, then each fault's, assertion's and halt's."""
        return [Provenance(s) for s in self.sources] + [
            Provenance(text, of) for of, text, _ in self._notes() if text
        ]

    def all_assumptions(self) -> list[Provenance]:
        """The scenario's assumptions, then each fault's, assertion's and halt's."""
        return [Provenance(a) for a in self.assumptions] + [
            Provenance(text, of) for of, _, text in self._notes() if text
        ]

    def _notes(self) -> list[tuple[str, str | None, str | None]]:
        faults = [(f"fault {f.name}", f.source, f.assumption) for f in self.faults]
        checks = [
            (f"{'halt' if c.halt else 'assertion'} {c.name}", c.source, c.assumption)
            for c in self.checks
        ]
        return faults + checks

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
            "checks": [vars(c) for c in self.checks],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], seed: int | None = None) -> ScenarioMeta:
        """Back from summary.json's `scenario` block; raises KeyError/TypeError when malformed.
        Summaries written before checks were noted have no `checks`: none, then."""
        return cls(
            str(data["name"]),
            str(data.get("file", "")),
            str(data.get("description", "")),
            seed,
            tuple(str(s) for s in data.get("sources", ())),
            tuple(str(a) for a in data.get("assumptions", ())),
            tuple(FaultNote(**f) for f in data.get("faults", ())),
            tuple(CheckNote(**c) for c in data.get("checks", ())),
        )
