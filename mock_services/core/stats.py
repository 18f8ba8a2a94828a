"""Counters a service keeps about itself, served at GET /_control/stats."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable


class Stats:
    """Monotonic counters (`sip.in.INVITE`, `dep.gms.fail`, ...) and live gauges."""

    def __init__(self) -> None:
        self._counters: Counter[str] = Counter()
        self._gauges: dict[str, Callable[[], int]] = {}

    def inc(self, name: str, amount: int = 1) -> None:
        self._counters[name] += amount

    def gauge(self, name: str, read: Callable[[], int]) -> None:
        """Report `read()` under `name` at every snapshot (e.g. calls in progress)."""
        self._gauges[name] = read

    def __getitem__(self, name: str) -> int:
        return self._counters[name]

    def snapshot(self) -> dict[str, int]:
        values = dict(self._counters)
        values.update({name: read() for name, read in self._gauges.items()})
        return dict(sorted(values.items()))
