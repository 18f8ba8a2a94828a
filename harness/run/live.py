"""What the live panel shows, kept up to date from the journal's new events only: traffic per
class (ok / failed), the faults on right now, and every assertion's running value."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from harness.assertions.running import RunningChecks
from harness.journal import Event, Request, RunStart, Transition
from harness.model.scenario import Scenario
from harness.progress import Snapshot, traffic_counts
from harness.report import readable

REFRESH = 2.0  # wall seconds between re-judging the assertions for the panel


class LiveView:
    def __init__(self, scenario: Scenario, start: RunStart) -> None:
        self.scenario = scenario
        self.start = start
        self.counts: Counter[tuple[str, bool]] = Counter()
        self.faults_on: dict[tuple[str, str], bool] = {}  # (fault, target) -> on
        self.running = RunningChecks(scenario.assertions, start)
        self.checks: list[tuple[str, str, bool | None]] = [
            (c.name, "", None) for c in scenario.assertions
        ]
        self._next_refresh = start.wall + REFRESH

    def feed(self, events: Iterable[Event]) -> None:
        events = list(events)
        for e in events:
            if isinstance(e, Request):
                self.counts[(e.traffic, e.ok)] += 1
            elif isinstance(e, Transition) and e.ok:
                self.faults_on[(e.fault, e.target)] = e.on
        self.running.feed(events)

    def snapshot(self, now: float) -> Snapshot:
        if now >= self._next_refresh:
            self.checks = self._judged()
            self._next_refresh = now + REFRESH
        clock = self.scenario.clock
        t = max(0.0, min(clock.span, clock.to_scenario(now - self.start.wall)))
        return Snapshot(
            self.scenario.name,
            clock.at(t),
            max(0.0, min(1.0, t / clock.span)),
            self._active(),
            self.checks,
            traffic_counts(self.counts),
        )

    def _judged(self) -> list[tuple[str, str, bool | None]]:
        rows: list[tuple[str, str, bool | None]] = []
        for o in self.running.outcomes():
            observed = readable.value(o.check.metric, o.observed) if o.observed is not None else "-"
            rows.append((o.check.name, observed, None if o.observed is None else o.passed))
        return rows

    def _active(self) -> dict[str, list[str]]:
        """Faults on right now, by fault, from the transitions journaled so far."""
        active: dict[str, list[str]] = {}
        for (fault, target), state in self.faults_on.items():
            if state:
                active.setdefault(fault, []).append(target)
        return active
