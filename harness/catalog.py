"""The scenario library: every scenario file under scenarios/ with its one-line summary, its
public sources and, kept apart from them, its assumptions (what no source gives)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.errors import InvalidInput
from harness.model.scenario import load_scenario


@dataclass(frozen=True)
class Entry:
    path: Path
    name: str
    summary: str
    sources: tuple[str, ...]
    assumptions: tuple[str, ...] = ()
    problem: str | None = None


def scenario_files(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("*.yaml") if p.is_file())


def catalog(root: Path) -> list[Entry]:
    entries = []
    for path in scenario_files(root):
        try:
            s = load_scenario(path)
        except InvalidInput as exc:
            entries.append(Entry(path, path.stem, "", (), problem=str(exc.problems[0])))
            continue
        summary = s.description.strip().splitlines()[0] if s.description.strip() else ""
        entries.append(Entry(path, s.name, summary, s.sources, s.assumptions))
    return entries
