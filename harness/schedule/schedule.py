"""Schedule: which fault effects a scenario wants at scenario time t, as a pure function.

Like Locust's LoadTestShape.tick, it holds no clock of its own: the reconciler asks
`desired(t)`, sleeps until `next_change(t)`, and can rebuild the desired state at any time
(after a Toxiproxy restart, say). Same scenario and seed, same transitions, byte for byte.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from harness.model.effects import Effect
from harness.model.scenario import Scenario
from harness.schedule.expand import Interval, expand

_CHECKPOINT = 64  # transitions between stored states: desired(t) replays at most this many


@dataclass(frozen=True)
class Transition:
    """`effect` switches on (or off) at scenario time `t`."""

    t: float
    effect: Effect
    on: bool


def _order(tr: Transition) -> tuple[float, bool, str, str, str]:
    # Off before on at the same instant (a ramp step hands over); then a stable, readable order.
    e = tr.effect
    return (tr.t, tr.on, e.fault, e.target, repr(e))


class Schedule:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.span = scenario.clock.span
        self._spans: dict[Effect, list[tuple[float, float]]] = {}
        transitions: list[Transition] = []
        for fault in scenario.faults:
            for iv in expand(fault, scenario.seed):
                start, end = max(iv.start, 0.0), min(iv.end, self.span)
                if end <= start:
                    continue  # nothing is active outside the clock
                self._spans.setdefault(iv.effect, []).append((start, end))
                transitions += [
                    Transition(start, iv.effect, True),
                    Transition(end, iv.effect, False),
                ]
        for spans in self._spans.values():
            spans.sort()
        self._edges = {
            (effect, on): [span[0 if on else 1] for span in spans]
            for effect, spans in self._spans.items()
            for on in (True, False)
        }
        self._transitions = sorted(transitions, key=_order)
        self._times = [tr.t for tr in self._transitions]
        self._checkpoints = self._replay_checkpoints()

    def _replay_checkpoints(self) -> list[frozenset[Effect]]:
        """The desired state after every _CHECKPOINT transitions, so desired(t) stays cheap
        for long flapping scenarios without storing one state per transition."""
        checkpoints = [frozenset[Effect]()]
        active: set[Effect] = set()
        for i, tr in enumerate(self._transitions, start=1):
            if tr.on:
                active.add(tr.effect)
            else:
                active.discard(tr.effect)
            if i % _CHECKPOINT == 0:
                checkpoints.append(frozenset(active))
        return checkpoints

    def desired(self, t: float) -> frozenset[Effect]:
        """The effects wanted at scenario time t (transitions at exactly t have happened)."""
        n = bisect.bisect_right(self._times, t)
        base = n // _CHECKPOINT
        active = set(self._checkpoints[base])
        for tr in self._transitions[base * _CHECKPOINT : n]:
            if tr.on:
                active.add(tr.effect)
            else:
                active.discard(tr.effect)
        return frozenset(active)

    def transitions(self) -> list[Transition]:
        return list(self._transitions)

    def next_change(self, after_t: float) -> float | None:
        """The first scenario time after `after_t` at which the desired state changes."""
        i = bisect.bisect_right(self._times, after_t)
        return self._times[i] if i < len(self._times) else None

    def effects(self) -> frozenset[Effect]:
        """Every effect the scenario ever wants."""
        return frozenset(self._spans)

    def intervals(self) -> list[Interval]:
        return [Interval(s, e, eff) for eff, spans in self._spans.items() for s, e in spans]

    def due(self, effect: Effect, on: bool, t: float) -> float | None:
        """When `effect` was last due to switch on (or off) at or before t; None if never."""
        edges = self._edges.get((effect, on), [])
        i = bisect.bisect_right(edges, t)
        return edges[i - 1] if i > 0 else None
