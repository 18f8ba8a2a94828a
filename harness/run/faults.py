"""The faults of a run: the reconciler in a thread of its own, following the schedule, and
taken off first whatever ends the run."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from harness import paths
from harness.faults.applied import AppliedStore
from harness.faults.driver import Driver
from harness.faults.reconciler import Reconciler
from harness.journal import JournalWriter
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.schedule import Schedule
from harness.toxiproxy.client import ToxiproxyClient


class FaultThread:
    """The reconciler's thread. `error` is what killed it (the watch loop ends the run on it);
    `stop` is set when it dies, so the watch loop wakes at once."""

    def __init__(
        self,
        scenario: Scenario,
        stack: StackInfo,
        drivers: Sequence[Driver],
        journal: JournalWriter,
        state_dir: Path,
        stop: threading.Event,
    ) -> None:
        store = AppliedStore(paths.applied_file(state_dir), stack.toxiproxy)
        self.reconciler = Reconciler(
            Schedule(scenario),
            drivers,
            journal,
            scenario.clock,
            store,
            restore_proxies=lambda: restore_proxies(stack),
        )
        self.stop = stop
        self.error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start(self, wall_start: float) -> None:
        self._thread = threading.Thread(
            target=self._follow, args=(wall_start,), name="reconciler", daemon=True
        )
        self._thread.start()

    def _follow(self, wall_start: float) -> None:
        try:
            self.reconciler.run(self.stop, wall_start)
        except BaseException as exc:
            self.error = exc
            self.stop.set()

    def clear(self) -> list[str]:
        """Stop following the schedule and remove every fault (within a second); returns what
        could not be removed (`harness cleanup` retries it)."""
        self.stop.set()
        if self._thread is not None:
            self._thread.join(2.0)
        problems = self.reconciler.clear(timeout=1.0)
        self.reconciler.close()
        return problems


def restore_proxies(stack: StackInfo) -> None:
    """After a Toxiproxy restart: every link's proxy again, on the same ports (never a team's
    own proxy on an external stack: that is the team's to restore)."""
    client = ToxiproxyClient(stack.toxiproxy, timeout=2.0)
    try:
        client.populate(
            [
                {"name": p.name, "listen": p.listen, "upstream": p.upstream, "enabled": True}
                for p in stack.proxies.values()
                if not p.team
            ]
        )
    finally:
        client.close()
