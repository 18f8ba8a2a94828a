"""Mutants of a scenario file: the same replay with some of its faults dropped.

Written with ruamel's round-trip YAML so a mutant reads like its original; the assertions'
`shows` lose the dropped faults' names (a `shows` naming no fault is removed), and the
topology (and design) become absolute paths so the mutant runs from any folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML


def fault_names(path: Path) -> list[str]:
    return [f["name"] for f in _load(path).get("faults", [])]


def shows(path: Path) -> dict[str, tuple[str, ...]]:
    """Assertion name -> the faults whose damage it shows (none: a continuity assertion)."""
    out = {}
    for check in _load(path).get("assertions", []):
        named = check.get("shows") or ()
        out[check["name"]] = (named,) if isinstance(named, str) else tuple(named)
    return out


def write_mutant(path: Path, drop: Iterable[str], out: Path) -> Path:
    dropped = set(drop)
    data = _load(path)
    data["faults"] = [f for f in data.get("faults", []) if f["name"] not in dropped]
    for check in data.get("assertions", []):
        named = check.get("shows")
        if named is None:
            continue
        kept = [n for n in ([named] if isinstance(named, str) else named) if n not in dropped]
        if kept:
            check["shows"] = kept
        else:
            del check["shows"]
    for key in ("topology", "design"):  # relative to the original's folder
        if key in data:
            data[key] = str((path.parent / data[key]).resolve())
    data["name"] = f"{data['name']}-without-{'-'.join(sorted(dropped)) or 'nothing'}"[:120]
    with out.open("w", encoding="utf-8") as f:
        YAML().dump(data, f)
    return out


def _load(path: Path) -> Any:
    return YAML().load(path.read_text(encoding="utf-8"))
