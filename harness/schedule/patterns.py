"""Patterns turn a fault window into the spans of scenario time during which the fault is on.

steady: on for the whole window. flap: alternating up (fault off) and down (fault on) periods,
each drawn from its range, starting with `first`, clipped to the window. ramp: `steps` equal
sub-windows, each holding one value of the attribute from `from` to `to` (both included).
"""

from __future__ import annotations

import random

from harness.errors import InvalidInput
from harness.model.scenario import Flap, Ramp, Window

MAX_PERIODS = 100_000  # a flap that switches more often than this is a mistake in the scenario

Span = tuple[float, float]


def steady(window: Window) -> list[Span]:
    return [(window.start, window.end)]


def flap(pattern: Flap, window: Window, rng: random.Random, fault: str) -> list[Span]:
    """The down periods (fault on) of a flap over `window`."""
    ranges = {"up": pattern.up, "down": pattern.down}
    phase = pattern.first
    t = window.start
    spans: list[Span] = []
    periods = 0
    while t < window.end:
        periods += 1
        if periods > MAX_PERIODS:
            raise InvalidInput(
                f"fault {fault}: the flap switches more than {MAX_PERIODS} times; "
                "use longer up and down periods or a shorter window"
            )
        low, high = ranges[phase]
        t_next = t + rng.uniform(low, high)
        if phase == "down":
            spans.append((t, min(t_next, window.end)))
        t = t_next
        phase = "up" if phase == "down" else "down"
    return spans


def ramp(pattern: Ramp, window: Window) -> list[tuple[float, float, int]]:
    """(start, end, value) per step; values are Toxiproxy integers. One step holds `to`."""
    n = pattern.steps
    width = (window.end - window.start) / n
    steps = []
    for i in range(n):
        fraction = i / (n - 1) if n > 1 else 1.0
        value = round(pattern.start + (pattern.to - pattern.start) * fraction)
        end = window.end if i == n - 1 else window.start + (i + 1) * width
        steps.append((window.start + i * width, end, value))
    return steps
