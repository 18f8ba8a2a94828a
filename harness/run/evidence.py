"""After the load: what the mock world holds. Wait for the meldkamers to hand their buffered
incidents to GMS, journal how often GMS holds each answered call, and probe every mock's
health. The stack's backend offers the probes (harness/backends/evidence.py)."""

from __future__ import annotations

import time
from pathlib import Path

from rich.console import Console

from harness.backends.evidence import Evidence
from harness.errors import StackError
from harness.journal import Incidents, JournalWriter, Probe, Request, read_events
from harness.model.traffic import INCIDENT_TRAFFIC  # the calls GMS must hold an incident for

FLUSH_WAIT = 10.0  # seconds to wait for meldkamers to hand buffered incidents to GMS


class EvidencePhase:
    def __init__(
        self,
        evidence: Evidence,
        journal: JournalWriter,
        journal_path: Path,
        span: float,
        console: Console,
        flush_wait: float = FLUSH_WAIT,
    ) -> None:
        self.evidence = evidence
        self.journal = journal
        self.journal_path = journal_path
        self.span = span  # the scenario time these events are journaled at: the end
        self.console = console
        self.flush_wait = flush_wait

    def reconcile_incidents(self) -> None:
        """Wait for meldkamer buffers to drain, then ask GMS how often it holds each call."""
        deadline = time.time() + self.flush_wait
        while (pending := self.evidence.buffered()) and time.time() <= deadline:
            time.sleep(0.2)
        try:
            all_counts = self.evidence.incidents()
        except StackError as exc:
            self._probe("gms", False, f"incidents not readable after the run: {exc}")
            return
        if all_counts is None:
            return  # no GMS in this stack
        calls = {
            e.call_id
            for e in read_events(self.journal_path)
            if isinstance(e, Request) and e.traffic == INCIDENT_TRAFFIC and e.ok and e.call_id
        }
        counts = {c: all_counts.get(c, 0) for c in sorted(calls)}
        self.journal.write(Incidents(time.time(), self.span, counts, pending))

    def probe_services(self) -> None:
        """Every mock still healthy? A crashed mock is a finding, not something to hide."""
        for name, ok in self.evidence.health().items():
            if not ok:
                self.console.print(
                    f"warning: {name} failed its health check after the run", markup=False
                )
            self._probe(f"health:{name}", ok, "")

    def _probe(self, name: str, ok: bool, detail: str) -> None:
        self.journal.write(Probe(time.time(), self.span, name, ok, detail))
