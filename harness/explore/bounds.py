"""The `explore:` section resolved: targets, toxic ranges in Toxiproxy's units, the window
range in whole scenario seconds, and the assertions every example is judged by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from harness.errors import InvalidInput
from harness.model.explore_file import ExploreFile
from harness.model.source import Source
from harness.model.toxics import TOXICS

UNEXPECTED_DAMAGE: dict[str, Any] = {
    "name": "no unexpected damage",
    "metric": "unexpected_damage",
    "==": 0,
    "assumption": "harness explore's target: any fault x traffic cell damaged that the design "
    "does not predict is a coupling nobody wrote down",
}


@dataclass(frozen=True)
class Range:
    """Integers from the mildest to the harshest (either may be the larger)."""

    name: str
    mild: int
    harsh: int


@dataclass(frozen=True)
class Bounds:
    links: tuple[str, ...]
    services: tuple[str, ...]
    toxics: tuple[tuple[str, tuple[Range, ...]], ...]
    processes: tuple[str, ...]
    earliest: int  # scenario seconds from the clock's start
    latest: int
    shortest: int  # one fault's window
    longest: int
    grain: int  # windows are drawn in whole multiples of this (a minute, when bounds allow)
    pace: float  # scenario seconds per wall second inside a fault's window
    replay: float | None  # wall seconds outside the windows; None: the floor's shortest
    max_faults: int
    overlap: bool
    flap_up: tuple[int, int] | None
    flap_down: tuple[int, int] | None
    assertions: tuple[dict[str, Any], ...]


def resolve_bounds(src: Source, explore: ExploreFile, start: datetime, span: float) -> Bounds:
    """Bounds within the scenario's clock (start, span); InvalidInput names the line."""
    line = ("explore",)
    earliest = _offset(explore.when.start, start, 0.0)
    latest = min(_offset(explore.when.until, start, span), span)
    shortest, longest = (int(x) for x in explore.when.length)
    if not 0 <= earliest < latest or shortest > latest - earliest:
        raise InvalidInput([src.problem((*line, "when"), _window_problem(earliest, latest, span))])
    grain = 60 if shortest >= 60 and (latest - earliest) >= 600 else 1
    flap = explore.flap
    return Bounds(
        links=tuple(explore.links),
        services=tuple(explore.services),
        toxics=tuple((name, _ranges(name, attrs)) for name, attrs in explore.toxics.items()),
        processes=tuple(explore.processes),
        earliest=int(earliest) // grain * grain,
        latest=int(latest) // grain * grain,
        shortest=max(grain, shortest // grain * grain),
        longest=max(grain, min(longest, int(latest - earliest)) // grain * grain),
        grain=grain,
        pace=max(grain, shortest // grain * grain) / explore.focus,
        replay=explore.replay,
        max_faults=explore.faults.max,
        overlap=explore.faults.overlap,
        flap_up=None if flap is None else (int(flap.up[0]), int(flap.up[1])),
        flap_down=None if flap is None else (int(flap.down[0]), int(flap.down[1])),
        assertions=_target_assertions(src, explore.target),
    )


def _offset(point: datetime | float | None, start: datetime, default: float) -> float:
    if point is None:
        return default
    if isinstance(point, datetime):
        return (point - start).total_seconds()
    return float(point)


def _window_problem(earliest: float, latest: float, span: float) -> str:
    return (
        f"explore window +{earliest:g}s .. +{latest:g}s must lie within the clock (0 .. "
        f"+{span:g}s) and hold the shortest fault window"
    )


def _ranges(name: str, attributes: dict[str, tuple[Any, Any]]) -> tuple[Range, ...]:
    toxic = TOXICS[name]  # known: the file model checked it
    return tuple(
        Range(key, toxic.native(key, mild), toxic.native(key, harsh))
        for key, (mild, harsh) in attributes.items()
    )


def _target_assertions(src: Source, target: str) -> tuple[dict[str, Any], ...]:
    """The assertions (as written) an example must keep to pass."""
    written = [a for a in src.data.get("assertions") or [] if isinstance(a, dict)]
    if target == "unexpected-damage":
        return (UNEXPECTED_DAMAGE,)
    if target == "continuity":
        chosen = [a for a in written if not a.get("shows")]
        what = "no assertion without `shows` (continuity) to search against"
    else:
        chosen = [a for a in written if a.get("name") == target]
        names = ", ".join(repr(a.get("name")) for a in written) or "none"
        what = f"no assertion named {target!r} (it has: {names})"
    if not chosen:
        raise InvalidInput([src.problem(("explore", "target"), what)])
    return tuple(chosen)
