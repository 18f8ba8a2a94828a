"""Halt conditions: watch the load as it happens and stop the run when one trips.

A halt condition says when to stop: `{metric: success_ratio, "<": 0.9}` trips as soon as the
ratio is below 0.9 (the opposite of an assertion, which states what must hold). Each looks at a
sliding window of WALL time (`window: 5s` means the last five
real seconds) and uses the same metric registry as the assertions. To keep a noisy start from
halting a run, a condition is judged only once a whole window has passed since the run started
and only with at least max(1, min_requests) samples, so an empty window trips no halt - except
a `requests` condition, which counts the load itself (e.g. `requests >= 10` in 5 s: load died).
Per feed the cost is one pass over each condition's window (a few thousand requests at
1000 requests/s), so the harness can call feed() every 100 ms.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from harness.assertions.evaluate import METRICS, traffic_of
from harness.assertions.view import Selection
from harness.journal import Event, Halt, Request, RunStart
from harness.model.scenario import Check


class _Watch:
    """One halt condition and the requests inside its window."""

    def __init__(self, check: Check) -> None:
        self.check = check
        self.traffic = traffic_of(check)
        self.window = check.halt_window or 0.0
        self.requests: deque[Request] = deque()

    def wants(self, r: Request) -> bool:
        return self.traffic in (None, r.traffic) and self.check.region in (None, r.region)

    def slide(self, now: float) -> None:
        while self.requests and self.requests[0].wall <= now - self.window:
            self.requests.popleft()

    def tripped(self, now: float) -> float | None:
        """The observed value that meets the halt condition, or None while it does not."""
        if self.check.per == "region":
            groups: dict[str | None, list[Request]] = {}
            for r in self.requests:
                groups.setdefault(r.region, []).append(r)
            selections = [g for region, g in groups.items() if region is not None]
        else:
            selections = [list(self.requests)]
        need = max(1, self.check.min_requests)
        for requests in selections:
            sel = Selection(tuple(requests), now - self.window, now)
            m = METRICS[self.check.metric](self.check, sel)
            if m.observed is None or m.problem or (m.counted and m.samples < need):
                continue
            if self.check.holds(m.observed):  # a halt states when to stop: "< 0.9" trips below
                return m.observed
        return None


class HaltWatcher:
    """Feed it the journal's new events; it returns the Halt to journal when one trips."""

    def __init__(self, halts: Sequence[Check]) -> None:
        self._watches = [_Watch(c) for c in halts if c.metric in METRICS]
        self._run: RunStart | None = None
        self._since: float | None = None  # wall time the watching began
        self._last_t = 0.0  # scenario time of the newest event, when there is no RunStart
        self.tripped: Halt | None = None

    def feed(self, events: Iterable[Event], now_wall: float) -> Halt | None:
        """Take new events; return a Halt the first time a condition trips, else None."""
        if self.tripped is not None:
            return None
        for event in events:
            self._last_t = event.t
            if isinstance(event, Request):
                for watch in self._watches:
                    if watch.wants(event):
                        watch.requests.append(event)
            elif isinstance(event, RunStart):
                self._run, self._since = event, event.wall
        if self._since is None:
            self._since = now_wall
        for watch in self._watches:
            watch.slide(now_wall)
            if now_wall - self._since < watch.window:
                continue  # the first window is not complete yet
            observed = watch.tripped(now_wall)
            if observed is not None:
                self.tripped = Halt(
                    now_wall, self._scenario_t(now_wall), watch.check.name, observed
                )
                return self.tripped
        return None

    def _scenario_t(self, wall: float) -> float:
        run = self._run
        if run is None or run.replay <= 0:
            return self._last_t
        return run.scenario_at(wall)
