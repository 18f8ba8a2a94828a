"""One run on a stack, phase by phase:

    start      start the load (t = 0 once all its users are in place, at least `lead` seconds
               ahead), journal run-start, start the reconciler thread (faults on schedule)
    watch      tail the journal for halts and progress (harness/run/watch.py)
    wind down  faults off (within a second), then load off, whatever ended the run
    evidence   GMS's incident counts and every mock's health (harness/run/evidence.py)
    finish     judge once, verdict, run-end, reports (harness/run/finish.py)

The fault drivers, the evidence probes and the load are the stack's by default; tests give
fakes (tests/unit/run/).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from harness import procs
from harness.assertions.verdict import Ending
from harness.backends.evidence import Evidence
from harness.backends.registry import backend_of
from harness.faults.driver import Driver
from harness.journal import JournalWriter, RunStart
from harness.load.config import planned_regions
from harness.model.blast import predict
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.run.evidence import EvidencePhase
from harness.run.faults import FaultThread
from harness.run.finish import finish
from harness.run.load import Load, Spread, StartLoad, start_locust
from harness.run.options import RunOptions, RunResult
from harness.run.signals import Signals
from harness.run.watch import Watch

JOURNAL = "journal.jsonl"


class Run:
    def __init__(
        self,
        scenario: Scenario,
        stack: StackInfo,
        report_dir: Path,
        options: RunOptions,
        console: Console,
        signals: Signals,
        *,
        drivers: Sequence[Driver] | None = None,
        evidence: Evidence | None = None,
        start_load: StartLoad = start_locust,
    ) -> None:
        self.scenario = scenario
        self.stack = stack
        self.report_dir = report_dir
        self.options = options
        self.console = console
        self.signals = signals
        if drivers is None or evidence is None:
            backend = backend_of(stack, options.state_dir)
            drivers = backend.drivers(stack) if drivers is None else drivers
            evidence = backend.evidence(stack) if evidence is None else evidence
        self.drivers = list(drivers)
        self.evidence = evidence
        self.start_load = start_load
        self.journal_path = report_dir / JOURNAL
        self.journal_path.unlink(missing_ok=True)
        self.journal = JournalWriter(self.journal_path)
        self.stop = threading.Event()

    def execute(self) -> RunResult:
        s = self.scenario
        faults = FaultThread(
            s, self.stack, self.drivers, self.journal, self.options.state_dir, self.stop
        )
        load = self._start_load() if s.load else None
        start = self._journal_start(load.wall_start if load else time.time() + self.options.lead)
        faults.start(start.wall)
        self.signals.in_run = True
        ending = Ending()
        try:
            watch = Watch(s, start, self.journal_path, self.journal, faults, self.signals)
            ending = watch.follow(load, self.console, self.options.live)
        finally:
            self._wind_down(faults, load, ending)
        self._gather_evidence(ending)
        return finish(s, ending, self.journal, self.journal_path, self.report_dir, self.console)

    def _journal_start(self, wall: float) -> RunStart:
        s = self.scenario
        planned = planned_regions(s)
        loaded = {x.traffic: x.traffic_class for x in s.load if x.rate > 0}
        start = RunStart(
            wall,
            0.0,
            s.name,
            s.seed,
            s.clock.start.isoformat(),
            s.clock.span,
            s.clock.replay,
            self.stack.backend,
            str(Path(s.file).resolve()),
            str(Path(s.topology.file).resolve()),
            planned,
            {name: x.region for name, x in s.topology.services.items() if x.region is not None},
            marks=[list(mark) for mark in s.clock.marks],
            blast=predict(s.design or s.topology, s.faults, loaded, planned),
        )
        self.journal.write(start)
        self.journal.flush()
        return start

    def _start_load(self) -> Load:
        return self.start_load(
            self.scenario,
            self.stack,
            self.journal_path,
            self.report_dir,
            time.time() + self.options.lead,  # the earliest t = 0
            self.scenario.clock.replay,
            self._spread(),
        )

    def _spread(self) -> Spread:
        """How the load is spread; workers joining from elsewhere are told how to join."""
        o = self.options
        if not o.workers:
            return Spread(processes=o.processes)
        bind = o.master_bind or ("127.0.0.1", 0)
        if self.stack.backend != "compose":  # compose starts its workers in containers itself
            bind = (bind[0], bind[1] or procs.free_port(bind[0]))
            self.console.print(
                f"waiting up to {o.workers_wait:g} s for {o.workers} Locust worker(s); on each "
                f"worker host run:\n  harness worker --master {bind[0]}:{bind[1]}",
                markup=False,
            )
        return Spread(workers=o.workers, bind=bind, wait=o.workers_wait)

    def _wind_down(self, faults: FaultThread, load: Load | None, ending: Ending) -> None:
        # Faults first: whatever ended the run, nothing may stay broken behind us.
        problems = faults.clear()
        if problems:
            self.console.print(
                "could not remove: " + "; ".join(problems) + "\n`harness cleanup` retries.",
                markup=False,
            )
        if load is not None:
            if ending.kind == "completed":
                load.wait(timeout=max(0.0, load.expected_end - time.time()) + 5)
            load.stop()
        self.signals.in_run = False

    def _gather_evidence(self, ending: Ending) -> None:
        phase = EvidencePhase(
            self.evidence, self.journal, self.journal_path, self.scenario.clock.span, self.console
        )
        try:
            if ending.kind in ("completed", "halted"):
                phase.reconcile_incidents()
            phase.probe_services()
        finally:
            self.evidence.close()
