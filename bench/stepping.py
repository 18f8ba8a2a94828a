"""P5 real capacity: offer sipp ever more calls per second through the whole 112 path until
a step breaks, and say which process was saturated there.

A step holds when it had no failed call (the target is 0 failures), its set-up p99 (INVITE ->
200 OK) stayed <= 100 ms and sipp placed at least 90 % of the offered rate (below that the
offer is not really made, so the step says nothing). The first step that does not hold ends
the search: the capacity is the answered rate of the last step that held.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.capacity import PLATEAU, Capacity
from bench.cpu import Busy, CpuSampler

MAX_P99 = 0.100  # seconds
RATES = (100.0, 200.0, 330.0, 500.0, 750.0, 1000.0, 1250.0, 1500.0, 2000.0, 2500.0, 3000.0)


@dataclass(frozen=True)
class Step:
    capacity: Capacity
    busiest: tuple[Busy, ...]
    cpu_total: float  # cores used by all our child processes together
    broke_because: str | None  # None: the step held
    machine: float = 0.0  # cores busy on the whole machine (ours and everyone else's)


@dataclass(frozen=True)
class Stepped:
    steps: tuple[Step, ...]

    @property
    def held(self) -> Step | None:
        good = [s for s in self.steps if s.broke_because is None]
        return good[-1] if good else None

    @property
    def broke(self) -> Step | None:
        bad = [s for s in self.steps if s.broke_because is not None]
        return bad[0] if bad else None


def why_broken(step: Capacity, max_p99: float = MAX_P99) -> str | None:
    """None when the step held; else the first reason it did not."""
    rate = step.target_rate or 0.0
    if step.failures > 0:
        return f"{step.failures} of {step.calls} calls failed"
    if step.p99 is None:
        return "no call answered"
    if step.p99 > max_p99:
        return f"set-up p99 {step.p99 * 1000:.0f} ms > {max_p99 * 1000:.0f} ms"
    if step.calls_per_s < PLATEAU * rate:
        return f"only {step.calls_per_s:.0f} of {rate:.0f} calls/s placed"
    return None


def step_up(
    measure: Callable[[float], Capacity],
    rates: Sequence[float] = RATES,
    sample: Callable[[], CpuSampler] = CpuSampler,
) -> Stepped:
    """Measure each rate in turn (with the CPU of every child process sampled) until one breaks."""
    steps: list[Step] = []
    for rate in rates:
        with sample() as cpu:
            capacity = measure(rate)
        reason = why_broken(capacity)
        steps.append(Step(capacity, tuple(cpu.busiest(6)), cpu.total(), reason, cpu.machine()))
        if reason is not None:
            break
    return Stepped(tuple(steps))


def describe(step: Step) -> str:
    c = step.capacity
    busy = ", ".join(f"{b.name} {b.cpu:.0%}" for b in step.busiest)
    p99 = "—" if c.p99 is None else f"{c.p99 * 1000:.0f}"
    return (
        f"-r {c.target_rate or 0:.0f}: {c.calls_per_s:.0f} calls/s answered, p99 {p99} ms, "
        f"{c.failures}/{c.calls} failed; CPU {step.cpu_total:.2f} cores ours, "
        f"{step.machine:.2f} busy machine-wide; busiest: {busy}"
    )
