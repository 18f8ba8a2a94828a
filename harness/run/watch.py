"""The watch loop: in the main thread, tail the journal until the replay ends, a halt trips, a
signal arrives, the reconciler fails or the load dies; show progress meanwhile."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from harness.assertions.halt import HaltWatcher
from harness.assertions.verdict import Ending
from harness.errors import HarnessError
from harness.journal import Event, JournalTail, JournalWriter, RunStart
from harness.model.scenario import Scenario
from harness.progress import Progress
from harness.run.faults import FaultThread
from harness.run.live import LiveView
from harness.run.load import Load
from harness.run.signals import Signals

POLL = 0.05  # wall seconds between looks at the journal


class Watch:
    def __init__(
        self,
        scenario: Scenario,
        start: RunStart,
        journal_path: Path,
        journal: JournalWriter,
        faults: FaultThread,
        signals: Signals,
    ) -> None:
        self.scenario = scenario
        self.start = start
        self.journal = journal
        self.faults = faults
        self.signals = signals
        self.tail = JournalTail(journal_path)
        self.halts = HaltWatcher(scenario.halts)
        self.live = LiveView(scenario, start)
        self.end = start.wall + start.replay

    def follow(self, load: Load | None, console: Console, live: bool | None) -> Ending:
        with Progress(console, live=live) as progress:
            while True:
                now = time.time()
                events = self.tail.read()
                self.live.feed(events)
                ending = self._ending(now, events, load, progress)
                if ending is not None:
                    return ending
                progress.update(self.live.snapshot(now))
                if now >= self.end:
                    return Ending()
                self.faults.stop.wait(POLL)

    def _ending(
        self, now: float, events: list[Event], load: Load | None, progress: Progress
    ) -> Ending | None:
        """What ends the run now, if anything does."""
        if self.signals.received is not None:
            return Ending("interrupted", signum=self.signals.received)
        if self.faults.error is not None:
            return _error_ending(self.faults.error)
        if load is not None and not load.running() and now < self.end - 0.5:
            # No load, no evidence: a run without its callers must not look like one.
            return Ending(
                "error", reason=f"the load generator (Locust) stopped early; see {load.log_file}"
            )
        if (halt := self.halts.feed(events, now)) is not None:
            self.journal.write(halt)
            progress.message(f"HALT: {halt.check} (observed {halt.observed:.3g})")
            return Ending("halted", halt=halt)
        return None


def _error_ending(exc: BaseException) -> Ending:
    if isinstance(exc, HarnessError):
        return Ending("error", reason=str(exc))
    return Ending("error", reason=f"internal error in the reconciler: {exc!r}")
