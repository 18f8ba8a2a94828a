"""A fake clock and journal for reconciler tests: no sleeps, no files but applied.json."""

from __future__ import annotations

import threading

from harness.journal import Event, Probe, Transition


class FakeClock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.wall = start

    def now(self) -> float:
        return self.wall

    def sleep(self, seconds: float) -> None:
        self.wall += seconds


class FakeStop(threading.Event):
    """A stop event whose wait() advances the fake clock instead of sleeping."""

    def __init__(self, clock: FakeClock, stop_at: float | None = None) -> None:
        super().__init__()
        self.clock = clock
        self.stop_at = stop_at
        self.waits: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        self.clock.sleep(timeout)
        if self.stop_at is not None and self.clock.wall >= self.stop_at:
            self.set()
        return self.is_set()


class Journal:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def write(self, event: Event) -> None:
        self.events.append(event)

    @property
    def transitions(self) -> list[Transition]:
        return [e for e in self.events if isinstance(e, Transition)]

    @property
    def probes(self) -> list[Probe]:
        return [e for e in self.events if isinstance(e, Probe)]
