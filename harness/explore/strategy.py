"""hypothesis strategies for fault schedules within Bounds.

Every draw shrinks toward the simplest reading: fewer faults, the first target and toxic
listed, the mildest attribute, the earliest start, the shortest window, steady rather than
flapping. So the schedule hypothesis shrinks a failure to is the one a reader needs.
"""

from __future__ import annotations

from hypothesis import strategies as st

from harness.explore.bounds import Bounds, Range
from harness.explore.schedule import Flapping, Schedule, Trial


def _toward(mild: int, harsh: int, grain: int = 1) -> st.SearchStrategy[int]:
    """From `mild` (where shrinking ends) to `harsh`, whichever is the larger, in grains."""
    step = grain if harsh >= mild else -grain
    return st.integers(0, abs(harsh - mild) // grain).map(lambda n: mild + step * n)


def _grains(low: int, high: int, grain: int) -> st.SearchStrategy[int]:
    return st.integers(0, max(0, (high - low) // grain)).map(lambda n: low + n * grain)


@st.composite
def _attributes(draw: st.DrawFn, ranges: tuple[Range, ...]) -> tuple[tuple[str, int], ...]:
    return tuple((r.name, draw(_toward(r.mild, r.harsh))) for r in ranges)


@st.composite
def trials(draw: st.DrawFn, b: Bounds) -> Trial:
    targets = [*((x, False) for x in b.links), *((x, True) for x in b.services)]
    target, process = draw(st.sampled_from(targets))
    attributes: tuple[tuple[str, int], ...] = ()
    if process:
        kind = draw(st.sampled_from(b.processes))
    else:
        kind, ranges = draw(st.sampled_from(b.toxics))
        attributes = draw(_attributes(ranges))
    length = draw(_grains(b.shortest, b.longest, b.grain))
    start = draw(_grains(b.earliest, max(b.earliest, b.latest - length), b.grain))
    flap = None
    if b.flap_up is not None and b.flap_down is not None and draw(st.booleans()):
        up, down = _toward(*b.flap_up, b.grain), _toward(*b.flap_down, b.grain)
        flap = Flapping(draw(up), draw(down))
    return Trial(target, kind, attributes, start, length, flap)


def schedules(b: Bounds) -> st.SearchStrategy[Schedule]:
    drawn = st.lists(trials(b), min_size=1, max_size=b.max_faults).map(
        lambda found: Schedule(tuple(found))
    )
    return drawn if b.overlap else drawn.filter(lambda s: not s.overlaps())
