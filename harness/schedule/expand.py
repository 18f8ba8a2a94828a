"""A fault, expanded into effects per target over the spans its pattern gives.

toxic `down` -> LinkDown per link; other toxics -> Toxic per link (a ramp step is the same
toxic with new attributes); process/container actions -> ProcessFault per service (every
on-span of a restart is a new epoch, i.e. one more restart); app actions -> AppFault per service.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.model.effects import AppFault, Effect, LinkDown, ProcessFault, Toxic
from harness.model.scenario import (
    AppAction,
    Fault,
    Flap,
    ProcessAction,
    Ramp,
    Steady,
    ToxicAction,
)
from harness.schedule import patterns
from harness.schedule.rng import stream


@dataclass(frozen=True)
class Interval:
    """`effect` is wanted during [start, end) of scenario time."""

    start: float
    end: float
    effect: Effect


def targets(fault: Fault) -> tuple[str, ...]:
    return fault.links if isinstance(fault.action, ToxicAction) else fault.services


def effect_of(
    fault: Fault, target: str, epoch: int = 0, attributes: tuple[tuple[str, int], ...] | None = None
) -> Effect:
    action = fault.action
    if isinstance(action, ToxicAction):
        if action.toxic == "down":
            return LinkDown(fault.name, target)
        attrs = action.attributes if attributes is None else attributes
        return Toxic(fault.name, target, action.toxic, action.stream, action.toxicity, attrs)
    if isinstance(action, ProcessAction):
        epoch = epoch if action.action == "restart" else 0
        return ProcessFault(fault.name, target, action.action, epoch, action.container)
    assert isinstance(action, AppAction)
    return AppFault(fault.name, target, action.spec)


def expand(fault: Fault, seed: int) -> list[Interval]:
    pattern = fault.pattern
    out: list[Interval] = []
    if isinstance(pattern, Ramp):
        assert isinstance(fault.action, ToxicAction)
        base = dict(fault.action.attributes)
        for start, end, value in patterns.ramp(pattern, fault.window):
            attrs = tuple(sorted({**base, pattern.attribute: value}.items()))
            out += [Interval(start, end, effect_of(fault, t, 0, attrs)) for t in targets(fault)]
        return _merged(out)
    for target in targets(fault):
        if isinstance(pattern, Flap):
            names = (fault.name, target) if pattern.independent else (fault.name,)
            spans = patterns.flap(pattern, fault.window, stream(seed, *names), fault.name)
        else:
            assert isinstance(pattern, Steady)
            spans = patterns.steady(fault.window)
        out += [
            Interval(start, end, effect_of(fault, target, epoch))
            for epoch, (start, end) in enumerate(spans)
        ]
    return _merged(out)


def _merged(intervals: list[Interval]) -> list[Interval]:
    """Join touching intervals of the same effect (ramp steps that round to one value), so the
    schedule never switches an effect off and on again at the same instant."""
    out: list[Interval] = []
    last: dict[Effect, int] = {}
    for iv in sorted(intervals, key=lambda iv: iv.start):
        if iv.end <= iv.start:
            continue
        i = last.get(iv.effect)
        if i is not None and iv.start <= out[i].end:
            out[i] = Interval(out[i].start, max(out[i].end, iv.end), iv.effect)
            continue
        last[iv.effect] = len(out)
        out.append(iv)
    return out
