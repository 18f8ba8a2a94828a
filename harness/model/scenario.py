"""The scenario: what a run replays and what it must prove.

Three layers, one module each: the file (scenario_file.py: pydantic models that mirror the
YAML), the runtime model the rest of the harness uses (runtime.py: Scenario, Clock, Fault,
Check, ...) and the resolution of one into the other against the topology (resolve.py).
This module loads a file through all three and re-exports the runtime model, so callers
import from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import InvalidInput, Problem
from harness.model.provenance import provenance_warnings
from harness.model.resolve import resolve
from harness.model.runtime import (
    Action,
    AppAction,
    Check,
    Clock,
    Fault,
    Flap,
    Pattern,
    ProcessAction,
    Ramp,
    Scenario,
    Steady,
    ToxicAction,
    TrafficLoad,
    Window,
)
from harness.model.scenario_file import ScenarioFile
from harness.model.source import Source, load_yaml

__all__ = [
    "Action",
    "AppAction",
    "Check",
    "Clock",
    "Fault",
    "Flap",
    "Pattern",
    "ProcessAction",
    "Ramp",
    "Scenario",
    "Steady",
    "ToxicAction",
    "TrafficLoad",
    "Window",
    "build_scenario",
    "load_scenario",
    "load_scenario_with_warnings",
]


def build_scenario(src: Source, base: Path | None = None) -> Scenario:
    """Validate a parsed scenario and resolve it against its topology. Raises InvalidInput
    with every problem found, in file order: when the schema check fails, the parts that did
    pass it are still resolved, so one run of `harness validate` shows all the mistakes.
    Relative topology paths are relative to `base` (the scenario file's folder by default)."""
    base = base if base is not None else Path(src.file).parent
    try:
        spec = src.validate(ScenarioFile)
    except InvalidInput as exc:
        found = exc.problems
        parts = _valid_parts(src)
        if parts is not None:
            try:
                resolve(src, *parts, base)
            except InvalidInput as more:
                found = [*found, *more.problems]
        raise InvalidInput(_in_order(src, found)) from None
    try:
        return resolve(src, spec, _all_indices(spec), base)
    except InvalidInput as exc:
        raise InvalidInput(_in_order(src, exc.problems)) from None


_LISTS = ("faults", "assertions", "halt")


def _all_indices(spec: ScenarioFile) -> dict[str, list[int]]:
    return {key: list(range(len(getattr(spec, key)))) for key in _LISTS}


def _valid_parts(src: Source) -> tuple[ScenarioFile, dict[str, list[int]]] | None:
    """The scenario without the parts that failed the schema check (and the original index
    of every fault, assertion and halt kept), or None when what is left cannot be resolved."""
    if not isinstance(src.data, dict):
        return None
    doc: dict[str, Any] = {**src.data, "version": 1, "name": "x"}
    index = {k: list(range(len(doc[k]))) if isinstance(doc.get(k), list) else [] for k in _LISTS}
    for _ in range(20):  # each round drops at least one part
        try:
            return ScenarioFile.model_validate(doc), index
        except ValidationError as exc:
            bad: dict[str, set[int]] = {k: set() for k in _LISTS}
            for err in exc.errors():
                loc = err["loc"]
                if not loc or loc[0] in ("clock", "topology"):
                    return None  # nothing resolves without them
                key = str(loc[0])
                if key in _LISTS and len(loc) > 1 and isinstance(loc[1], int):
                    bad[key].add(loc[1])
                elif key == "load" and len(loc) > 1 and isinstance(doc.get("load"), dict):
                    doc["load"] = {k: v for k, v in doc["load"].items() if k != loc[1]}
                else:
                    doc.pop(key, None)
                    index[key] = []
            for key, drop in bad.items():
                if not drop or not isinstance(doc.get(key), list):
                    continue
                doc[key] = [item for i, item in enumerate(doc[key]) if i not in drop]
                index[key] = [orig for i, orig in enumerate(index[key]) if i not in drop]
    return None


def _in_order(src: Source, problems: list[Problem]) -> list[Problem]:
    """File order, once each; problems in the topology file follow the line that names it."""
    topology_line = src.line(("topology",)) or 0

    def order(p: Problem) -> int:
        return (p.line or 0) if p.file == src.file else topology_line

    return sorted(dict.fromkeys(problems), key=order)


def load_scenario(path: Path, topology: Path | None = None) -> Scenario:
    """The scenario at `path`, against its own topology or, given one, against `topology`
    (the same replay on a team's own landscape)."""
    return load_scenario_with_warnings(path, topology)[0]


def load_scenario_with_warnings(
    path: Path, topology: Path | None = None
) -> tuple[Scenario, list[Problem]]:
    """load_scenario, and the warnings of a valid file: each fault, assertion and halt that
    has neither a source nor an assumption (provenance.py)."""
    src = load_yaml(path)
    if topology is not None and isinstance(src.data, dict):
        src.data["topology"] = str(topology.resolve())  # absolute: the scenario's folder is moot
    return build_scenario(src), provenance_warnings(src)
