"""One run, start to verdict: faults on schedule, load, live halts, evidence, reports.

    scenario ─► stack (the running one, or a new one owned by this run)
             ─► reconciler thread (faults on schedule) + Locust subprocess (load)
             ─► main thread: tail the journal, watch halts, show progress, catch signals
             ─► faults off, load off, incidents reconciled ─► assertions ─► reports ─► exit code

Whatever happens, the faults come off: on a normal end, an exception, a halt and SIGINT/SIGTERM
(within a second); after kill -9 `harness cleanup`, or the next run, removes them using the
applied-state file the reconciler keeps.
"""

from __future__ import annotations

import io
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, cast

import requests
from rich.console import Console

from harness import paths
from harness.assertions.evaluate import Outcome, evaluate
from harness.assertions.halt import HaltWatcher
from harness.assertions.verdict import Ending, Status, Verdict, decide
from harness.backends.lock import pid_alive
from harness.backends.stack import StackInfo
from harness.errors import HarnessError, InfrastructureError, Interrupted, InvalidInput
from harness.faults.app import AppDriver
from harness.faults.applied import AppliedStore
from harness.faults.cleanup import cleanup
from harness.faults.driver import Driver
from harness.faults.reconciler import Reconciler
from harness.faults.toxics import ToxiproxyDriver
from harness.journal import (
    Event,
    Incidents,
    JournalTail,
    JournalWriter,
    Probe,
    Request,
    RunEnd,
    RunStart,
    Transition,
    read_events,
)
from harness.load.runner import LoadRunner, LocustRun
from harness.model.scenario import Scenario, load_scenario
from harness.progress import Progress, Snapshot, terminal_console, traffic_counts
from harness.report.console import print_summary, summary_table
from harness.report.folder import prepare_report_dir
from harness.report.meta import ScenarioMeta
from harness.report.write import render, write_reports
from harness.schedule import Schedule
from harness.stacks import claim_stack
from harness.toxiproxy.client import ToxiproxyClient

JOURNAL = "journal.jsonl"
LEAD = 3.0  # seconds between starting Locust and scenario t=0: its start-up must not eat the replay
FLUSH_WAIT = 10.0  # seconds to wait for meldkamers to hand buffered incidents to GMS


@dataclass(frozen=True)
class RunOptions:
    backend: str = "local"
    duration: float | None = None
    seed: int | None = None
    report_dir: Path | None = None
    state_dir: Path = field(default_factory=paths.state_dir)
    processes: int = 1
    external_stack: Path | None = None
    live: bool | None = None  # None: live progress when stderr is a terminal
    lead: float = LEAD


@dataclass(frozen=True)
class RunResult:
    verdict: str
    exit_code: int
    report_dir: Path
    outcomes: list[Outcome]
    reason: str = ""

    @property
    def table(self) -> str:
        """The assertion table as plain text (for pytest failure messages)."""
        console = Console(width=140, record=True, file=io.StringIO())
        status = cast(Status, self.verdict)
        console.print(summary_table(self.outcomes, Verdict(status, self.exit_code, self.reason)))
        return console.export_text()


class _Signals:
    """SIGINT/SIGTERM: during set-up they abort at once; during the run they ask the main
    loop to stop, so faults come off before anything else happens."""

    def __init__(self) -> None:
        self.received: int | None = None
        self.in_run = False
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        self.received = self.received or signum
        if not self.in_run or not first:
            raise Interrupted(signum)


def default_report_dir(scenario: Scenario) -> Path:
    return Path("reports") / f"{scenario.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def run_scenario(path: Path, options: RunOptions, console: Console | None = None) -> RunResult:
    """Run the scenario at `path`; raises InvalidInput (exit 2) and InfrastructureError (3)
    before the run starts, and reports everything after that in the result."""
    console = console or terminal_console()
    scenario = load_scenario(path).with_overrides(options.duration, options.seed)
    report_dir = (options.report_dir or default_report_dir(scenario)).resolve()
    prepare_report_dir(report_dir)  # before any stack or fault: evidence must be writable
    topology = Path(scenario.topology.file)
    with (
        _Signals() as signals,
        claim_stack(
            options.backend, topology, options.state_dir, options.external_stack, scenario.name
        ) as (placement, lock),
    ):
        if lock.stale is not None:
            gone = "is gone" if not pid_alive(lock.stale.pid) else "no longer holds it"
            console.print(
                f"note: took over the stack from {lock.stale}, which {gone}", markup=False
            )
        options = replace(options, state_dir=placement.state_dir)
        leftover = cleanup(options.state_dir)
        if leftover.removed:
            console.print(f"removed faults left by an earlier run:\n{leftover}", markup=False)
        if not leftover.ok:
            raise InfrastructureError(f"cannot remove faults left by an earlier run:\n{leftover}")
        console.print(f"stack: {options.backend} ({topology.name}) ...", markup=False)
        stack = placement.open(options.backend, topology)
        try:
            console.print(
                f"stack ready: {len(stack.info.services)} services, "
                f"{len(stack.info.proxies)} proxies",
                markup=False,
            )
            run = _Run(scenario, stack.info, report_dir, options, console, signals)
            return run.execute()
        finally:
            stack.close()


class _Run:
    def __init__(
        self,
        scenario: Scenario,
        stack: StackInfo,
        report_dir: Path,
        options: RunOptions,
        console: Console,
        signals: _Signals,
    ) -> None:
        self.scenario = scenario
        self.stack = stack
        self.report_dir = report_dir
        self.options = options
        self.console = console
        self.signals = signals
        self.journal_path = report_dir / JOURNAL
        self.journal_path.unlink(missing_ok=True)
        self.journal = JournalWriter(self.journal_path)
        self.stop = threading.Event()
        self.reconciler_error: BaseException | None = None

    # --- the run -------------------------------------------------------------------------

    def execute(self) -> RunResult:
        s = self.scenario
        schedule = Schedule(s)
        store = AppliedStore(paths.applied_file(self.options.state_dir), self.stack.toxiproxy)
        reconciler = Reconciler(
            schedule,
            _drivers(self.stack),
            self.journal,
            s.clock,
            store,
            restore_proxies=lambda: restore_proxies(self.stack),
        )
        wall_start = time.time() + self.options.lead
        replay = s.clock.replay
        self.journal.write(
            RunStart(
                wall_start,
                0.0,
                s.name,
                s.seed,
                s.clock.start.isoformat(),
                s.clock.span,
                replay,
                self.stack.backend,
                str(Path(s.file).resolve()),
            )
        )
        self.journal.flush()
        load = None
        if s.load:
            load = LoadRunner(
                s,
                self.stack,
                self.journal_path,
                self.report_dir,
                wall_start,
                replay,
                self.options.processes,
            ).start()
        worker = threading.Thread(
            target=self._reconcile, args=(reconciler, wall_start), name="reconciler", daemon=True
        )
        worker.start()
        self.signals.in_run = True
        ending = Ending()
        try:
            ending = self._watch(wall_start, replay, load)
        finally:
            # Faults first: whatever ended the run, nothing may stay broken behind us.
            self.stop.set()
            worker.join(2.0)
            problems = reconciler.clear(timeout=1.0)
            reconciler.close()
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
        if ending.kind in ("completed", "halted"):
            self._reconcile_incidents()
        self._probe_services()
        return self._finish(ending)

    def _reconcile(self, reconciler: Reconciler, wall_start: float) -> None:
        try:
            reconciler.run(self.stop, wall_start)
        except BaseException as exc:
            self.reconciler_error = exc
            self.stop.set()

    def _watch(self, wall_start: float, replay: float, load: LocustRun | None) -> Ending:
        """Follow the run until the replay ends, a halt trips, a signal or an error arrives."""
        s = self.scenario
        tail = JournalTail(self.journal_path)
        halts = HaltWatcher(s.halts)
        counts: Counter[tuple[str, bool]] = Counter()
        faults_on: dict[tuple[str, str], bool] = {}
        requests_so_far: list[Event] = []
        checks: list[tuple[str, str, bool | None]] = [(c.name, "", None) for c in s.assertions]
        next_eval = wall_start + 2.0
        end = wall_start + replay
        with Progress(self.console, live=self.options.live) as progress:
            while True:
                now = time.time()
                events = tail.read()
                for e in events:
                    if isinstance(e, Request):
                        counts[(e.traffic, e.ok)] += 1
                    elif isinstance(e, Transition) and e.ok:
                        faults_on[(e.fault, e.target)] = e.on
                requests_so_far += events
                if self.signals.received is not None:
                    return Ending("interrupted", signum=self.signals.received)
                if self.reconciler_error is not None:
                    return _error_ending(self.reconciler_error)
                if load is not None and not load.running() and now < end - 0.5:
                    # No load, no evidence: a run without its callers must not look like one.
                    return Ending(
                        "error",
                        reason=f"the load generator (Locust) stopped early; see {load.log_file}",
                    )
                if (halt := halts.feed(events, now)) is not None:
                    self.journal.write(halt)
                    progress.message(f"HALT: {halt.check} (observed {halt.observed:.3g})")
                    return Ending("halted", halt=halt)
                if now >= next_eval:
                    checks = _running_checks(s, requests_so_far)
                    next_eval = now + 2.0
                t = max(0.0, min(s.clock.span, s.clock.to_scenario(now - wall_start)))
                progress.update(
                    Snapshot(
                        s.name,
                        s.clock.at(t),
                        max(0.0, min(1.0, t / s.clock.span)),
                        _active(faults_on),
                        checks,
                        traffic_counts(counts),
                    )
                )
                if now >= end:
                    return Ending()
                self.stop.wait(0.05)

    # --- after the run ---------------------------------------------------------------------

    def _reconcile_incidents(self) -> None:
        """Wait for meldkamer buffers to drain, then ask GMS how often it holds each call."""
        meldkamers = [s for s in self.stack.services.values() if s.kind == "meldkamer"]
        deadline = time.time() + FLUSH_WAIT
        pending = 0
        with requests.Session() as http:
            while True:
                pending = sum(
                    _json(http, f"http://{m.endpoints['http']}/_control/buffer").get("pending", 0)
                    for m in meldkamers
                )
                if pending == 0 or time.time() > deadline:
                    break
                time.sleep(0.2)
            gms = next((s for s in self.stack.services.values() if s.kind == "gms"), None)
            if gms is None:
                return
            try:
                answer = http.get(f"http://{gms.endpoints['http']}/incidents/by-call", timeout=10)
                answer.raise_for_status()
                all_counts: dict[str, int] = answer.json()["counts"]
            except (requests.RequestException, ValueError, KeyError) as exc:
                self._write_probe("gms", False, f"incidents not readable after the run: {exc}")
                return
        calls = {
            e.call_id
            for e in read_events(self.journal_path)
            if isinstance(e, Request) and e.traffic == "callers-112" and e.ok and e.call_id
        }
        counts = {c: all_counts.get(c, 0) for c in sorted(calls)}
        now = time.time()
        self.journal.write(Incidents(now, self.scenario.clock.span, counts, pending))

    def _probe_services(self) -> None:
        """Every mock still healthy? A crashed mock is a finding, not something to hide."""
        with requests.Session() as http:
            for svc in self.stack.services.values():
                try:
                    ok = http.get(f"http://{svc.endpoints['http']}/health", timeout=2).ok
                except requests.RequestException:
                    ok = False
                if not ok:
                    self.console.print(
                        f"warning: {svc.name} did not answer /health after the run", markup=False
                    )
                self._write_probe(f"health:{svc.name}", ok, "")

    def _write_probe(self, name: str, ok: bool, detail: str) -> None:
        self.journal.write(Probe(time.time(), self.scenario.clock.span, name, ok, detail))

    def _finish(self, ending: Ending) -> RunResult:
        from harness.assertions.drift import tally
        from harness.assertions.verdict import with_drift

        self.journal.flush()
        events = list(read_events(self.journal_path))
        outcomes = evaluate(self.scenario.assertions, events)
        drift = tally(events)
        verdict = decide(outcomes, with_drift(ending, drift, self.scenario.max_drift))
        end = RunEnd(time.time(), self.scenario.clock.span, verdict.status, verdict.reason)
        self.journal.write(end)
        self.journal.close()
        events.append(end)
        write_reports(
            self.report_dir,
            ScenarioMeta.from_scenario(self.scenario),
            self.scenario.assertions,
            events,
            verdict,
        )
        print_summary(outcomes, verdict, self.console, drift)
        self.console.print(f"report: {self.report_dir / 'report.html'}", markup=False)
        return RunResult(
            verdict.status, verdict.exit_code, self.report_dir, outcomes, verdict.reason
        )


def _drivers(stack: StackInfo) -> list[Driver]:
    drivers: list[Driver] = [ToxiproxyDriver.from_stack(stack), AppDriver.from_stack(stack)]
    if stack.backend == "local":
        from harness.faults.process import ProcessDriver

        drivers.append(ProcessDriver.from_stack(stack))
    elif stack.backend == "compose":
        from harness.faults.container import ContainerDriver

        drivers.append(ContainerDriver.for_stack(stack))
    return drivers


def restore_proxies(stack: StackInfo) -> None:
    """After a Toxiproxy restart: every link's proxy again, on the same ports."""
    client = ToxiproxyClient(stack.toxiproxy, timeout=2.0)
    try:
        client.populate(
            [
                {"name": p.name, "listen": p.listen, "upstream": p.upstream, "enabled": True}
                for p in stack.proxies.values()
            ]
        )
    finally:
        client.close()


def _error_ending(exc: BaseException) -> Ending:
    if isinstance(exc, HarnessError):
        return Ending("error", reason=str(exc))
    return Ending("error", reason=f"internal error in the reconciler: {exc!r}")


def _running_checks(s: Scenario, events: list[Event]) -> list[tuple[str, str, bool | None]]:
    from harness.report import readable

    rows: list[tuple[str, str, bool | None]] = []
    for o in evaluate(s.assertions, events):
        observed = readable.value(o.metric, o.observed) if o.observed is not None else "-"
        rows.append((o.name, observed, None if o.observed is None else o.passed))
    return rows


def _active(on: dict[tuple[str, str], bool]) -> dict[str, list[str]]:
    """Faults on right now, by fault, from the transitions journaled so far."""
    active: dict[str, list[str]] = {}
    for (fault, target), state in on.items():
        if state:
            active.setdefault(fault, []).append(target)
    return active


def _json(http: requests.Session, url: str) -> dict[str, Any]:
    try:
        answer = http.get(url, timeout=2)
        data: dict[str, Any] = answer.json() if answer.ok else {}
        return data
    except (requests.RequestException, ValueError):
        return {}


def rerender(run_dir: Path, console: Console | None = None) -> int:
    """`harness report DIR`: re-evaluate a finished run from its journal; its exit code."""
    console = console or terminal_console()
    journal = run_dir / JOURNAL
    if not journal.is_file():
        raise InvalidInput(f"{run_dir}: no {JOURNAL} here; is this a run directory?")
    start = next((e for e in read_events(journal) if isinstance(e, RunStart)), None)
    if start is None or not start.file:
        raise InvalidInput(f"{journal}: no run-start event naming the scenario file")
    from harness.assertions.drift import tally

    scenario = load_scenario(Path(start.file))
    meta = ScenarioMeta.from_scenario(scenario)
    verdict = render(run_dir, scenario.assertions, meta, scenario.max_drift)
    events = list(read_events(journal))
    outcomes = evaluate(scenario.assertions, events)
    print_summary(outcomes, verdict, console, tally(events))
    console.print(f"report: {run_dir / 'report.html'}", markup=False)
    return verdict.exit_code
