"""The reconciler: keeps what the drivers have applied equal to what the schedule wants.

`step(t)` diffs `schedule.desired(t)` against the applied effects by key (same key, new value:
an update in place, as a ramp step), applies and removes through the driver that handles each
effect, journals one Transition per change with the wall time it was due and the wall time it
took effect, and records the applied state (applied.json) before returning. `verify()` compares
what the drivers observe with what was applied and re-applies what went missing (a restarted
Toxiproxy), journaling one Drift per effect it found missing (not a Transition: the schedule
did not change); `clear()` removes everything. A change that keeps failing for `heal_timeout` seconds
is an infrastructure error (exit 3): a chaos run whose faults are not in force must not pass.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from harness.errors import (
    HarnessError,
    InfrastructureError,
    InvalidInput,
    Problem,
    ToxiproxyError,
)
from harness.faults.applied import AppliedStore, Entry
from harness.faults.drift import DriftWatch, Episode
from harness.faults.driver import Driver, Explains, Undoable
from harness.faults.undo import UndoRecord, Unknown
from harness.journal import Drift, Event, Probe, Transition
from harness.model.effects import Effect
from harness.schedule import Schedule

Key = tuple[str, str]


class ClockMap(Protocol):
    """Scenario seconds <-> wall seconds since the start (harness.model.scenario.Clock)."""

    def to_wall(self, t: float) -> float: ...

    def to_scenario(self, wall_offset: float) -> float: ...


class EventSink(Protocol):
    def write(self, event: Event) -> None: ...


@dataclass(frozen=True)
class Change:
    """Switch `old` off and/or `new` on; both set means an update in place (same key)."""

    old: Effect | None
    new: Effect | None
    due: float  # wall time the change was due

    @property
    def target(self) -> str:
        effect = self.new or self.old
        assert effect is not None
        return effect.target


@dataclass(frozen=True)
class _Outcome:
    change: Change
    wall: float  # when the driver confirmed (or failed)
    error: HarnessError | None = None


class Reconciler:
    def __init__(
        self,
        schedule: Schedule,
        drivers: Sequence[Driver],
        journal: EventSink | None,
        clock: ClockMap,
        applied: AppliedStore,
        *,
        now: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        restore_proxies: Callable[[], None] | None = None,
        poll: float = 0.05,
        verify_every: float = 0.5,
        heal_timeout: float = 5.0,
        workers: int = 8,
    ) -> None:
        self.schedule = schedule
        self.drivers = list(drivers)
        self.journal = journal
        self.clock = clock
        self.store = applied
        self.now = now
        self.sleep = sleep
        self.restore_proxies = restore_proxies
        self.poll = poll
        self.verify_every = verify_every
        self.heal_timeout = heal_timeout
        self.wall_start: float | None = None  # set by run(); step() alone journals its own time
        self.applied: dict[Key, Effect] = {}
        self._step_t = 0.0
        self._failing_since: float | None = None
        self._reported: set[tuple[Effect, bool]] = set()  # failures already journaled
        self._drift = DriftWatch()
        self._lock = threading.RLock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconciler")
        unhandled = sorted({e.label() for e in schedule.effects() if self._driver(e) is None})
        if unhandled:
            self._pool.shutdown()
            raise InvalidInput(
                [
                    Problem(schedule.scenario.file, None, f"no fault driver on this stack for {u}")
                    for u in unhandled
                ]
            )

    # --- the schedule -----------------------------------------------------------------------

    def step(self, t: float) -> list[Change]:
        """Bring the applied effects to `schedule.desired(t)`; returns the changes made."""
        with self._lock:
            self._step_t = t
            wanted = {e.key: e for e in self.schedule.desired(t)}
            changes = [
                Change(old, None, self._due(old, False, t))
                for key, old in self.applied.items()
                if key not in wanted
            ]
            for key, new in sorted(wanted.items()):  # a stable order: same run, same journal
                old = self.applied.get(key)
                if old != new:
                    changes.append(Change(old, new, self._due(new, True, t)))
            if not changes:
                self._failing_since = None
                return []
            outcomes = self._execute(changes)
            self._check_failures(outcomes)
            return [o.change for o in outcomes if o.error is None]

    def _due(self, effect: Effect, on: bool, t: float) -> float:
        due = self.schedule.due(effect, on, t)
        if due is None or self.wall_start is None:
            return self.now()  # not from the schedule (healing, clearing) or no wall start yet
        return self.wall_start + self.clock.to_wall(due)

    def _execute(self, changes: list[Change], deadline: float | None = None) -> list[_Outcome]:
        """Write ahead, change, record. Changes to one target run in order; targets in parallel
        (a service start takes a while; a Toxiproxy call does not)."""
        pending = [c.new for c in changes if c.new is not None]
        if pending:
            self._save([*self.applied.values(), *pending])
        groups: dict[str, list[Change]] = {}
        for change in changes:
            groups.setdefault(change.target, []).append(change)
        run = functools.partial(self._run_group, deadline=deadline)
        if len(groups) == 1:
            outcomes = run(changes)
        else:
            outcomes = [o for g in self._pool.map(run, groups.values()) for o in g]
        for outcome in outcomes:
            self._record(outcome)
        self._save(self.applied.values())
        return outcomes

    def _run_group(self, changes: list[Change], deadline: float | None) -> list[_Outcome]:
        outcomes = []
        for change in changes:
            if deadline is not None and self.now() > deadline:
                late = InfrastructureError("not attempted: out of time")
                outcomes.append(_Outcome(change, self.now(), late))
                continue
            try:
                if change.new is not None:
                    self._driver_for(change.new).apply(change.new)  # apply is an upsert
                elif change.old is not None:
                    self._driver_for(change.old).remove(change.old)
                outcomes.append(_Outcome(change, self.now()))
            except HarnessError as exc:
                outcomes.append(_Outcome(change, self.now(), exc))
        return outcomes

    def _record(self, outcome: _Outcome) -> None:
        change = outcome.change
        if outcome.error is None:
            if change.old is not None:
                self.applied.pop(change.old.key, None)
                self._drift.forget(change.old)
                self._reported.discard((change.old, False))
                self._journal(change.old, False, change.due, outcome.wall)
            if change.new is not None:
                self.applied[change.new.key] = change.new
                self._drift.seen(change.new, outcome.wall)
                self._reported.discard((change.new, True))
                self._journal(change.new, True, change.due, outcome.wall)
            return
        effect, on = (change.new, True) if change.new is not None else (change.old, False)
        assert effect is not None
        if (effect, on) not in self._reported:  # journal a failure once, not on every retry
            self._reported.add((effect, on))
            self._journal(effect, on, change.due, outcome.wall, str(outcome.error))

    def _check_failures(self, outcomes: list[_Outcome]) -> None:
        errors = [o.error for o in outcomes if o.error is not None]
        if not errors:
            self._failing_since = None
            return
        now = self.now()
        if self._failing_since is None:
            self._failing_since = now
        elif now - self._failing_since >= self.heal_timeout:
            raise errors[0]

    # --- healing ----------------------------------------------------------------------------

    def verify(self) -> int:
        """Re-apply applied effects the drivers no longer observe; returns how many. Calls
        `restore_proxies` when Toxiproxy lost its proxies or cannot be reached, and raises
        (exit 3) when the faults are not back in force within `heal_timeout` seconds."""
        with self._lock:
            deadline = self.now() + self.heal_timeout
            episode = self._drift.episode(self._t)
            healed = 0
            while True:
                error: HarnessError | None = None
                try:
                    missing = self._missing(episode)
                    now = self.now()
                    in_force = [e for e in self.applied.values() if e not in missing]
                    self._write_all(episode.in_force(in_force, now))
                    if not missing:
                        return healed
                    labels = ", ".join(e.label() for e in missing[:3])
                    self._probe(
                        False, f"{len(missing)} fault effect(s) missing ({labels}); re-applying"
                    )
                    for effect in missing:  # what was found, before re-applying changes it
                        episode.missing(effect, self._found(effect), now)
                    for effect in missing:
                        self._driver_for(effect).apply(effect)
                        healed += 1
                    error = InfrastructureError(f"fault effects keep disappearing: {labels}")
                except HarnessError as exc:
                    error = exc
                    if isinstance(exc, ToxiproxyError) and self.restore_proxies is not None:
                        try:
                            self.restore_proxies()
                            episode.restored = True
                        except HarnessError as restore_error:
                            error = restore_error
                if self.now() >= deadline:
                    self._probe(False, f"could not restore the faults: {error}")
                    self._write_all(episode.gave_up(error, self.now(), self._found))
                    if isinstance(error, ToxiproxyError):
                        raise ToxiproxyError(
                            f"faults could not be re-applied within {self.heal_timeout:g}s: {error}"
                        ) from None
                    raise error
                self.sleep(0.05)  # then look again: healed means observed, not just sent

    def _missing(self, episode: Episode) -> list[Effect]:
        missing: list[Effect] = []
        for driver in self.drivers:
            mine = [e for e in self.applied.values() if driver.handles(e)]
            try:
                observed = driver.observed()
            except HarnessError:
                episode.cannot_tell(mine, self.now())
                raise
            if observed is None:
                continue  # this driver cannot tell; trust it
            missing += [e for e in mine if e not in observed]
        return missing

    def _found(self, effect: Effect) -> str:
        driver = self._driver(effect)
        return driver.found(effect) if isinstance(driver, Explains) else "not observed"

    def _write_all(self, drifts: list[Drift]) -> None:
        if self.journal is not None:
            for drift in drifts:
                self.journal.write(drift)

    def _probe(self, ok: bool, detail: str) -> None:
        if self.journal is not None:
            self.journal.write(Probe(self.now(), self._t(self.now()), "faults", ok, detail))

    # --- the run ----------------------------------------------------------------------------

    def run(self, stop: threading.Event, wall_start: float) -> None:
        """Follow the schedule until the clock ends or `stop` is set; sleep until the next
        change, waking every `poll` seconds to retry failures and now and then to verify.
        At the clock's end nothing is desired, so everything is removed; after `stop`, call
        clear()."""
        self.wall_start = wall_start
        span = self.schedule.span
        last_verify = self.now()
        while not stop.is_set():
            t = self._t(self.now())
            self.step(min(t, span))
            if t >= span:
                return
            if self.now() - last_verify >= self.verify_every:
                self.verify()
                last_verify = self.now()
            due = self.schedule.next_change(t)
            until = span if due is None else min(due, span)
            wait = min(self.poll, wall_start + self.clock.to_wall(until) - self.now())
            if wait > 0:
                stop.wait(wait)

    def _t(self, wall: float) -> float:
        if self.wall_start is None:
            return self._step_t  # step() driven by hand: its own t
        return self.clock.to_scenario(wall - self.wall_start)

    def clear(self, timeout: float = 1.0) -> list[str]:
        """Remove every applied effect (in parallel per target), giving up on what is not
        removed within `timeout` seconds (an interrupted run must end promptly); returns what
        could not be removed: it stays in applied.json for `harness cleanup`. Deletes
        applied.json when nothing is left."""
        with self._lock:
            now = self.now()
            changes = [Change(effect, None, now) for effect in self.applied.values()]
            outcomes = self._execute(changes, now + timeout) if changes else []
            problems = [
                f"{o.change.old.label()}: {o.error}" for o in outcomes if o.error and o.change.old
            ]
            if not self.applied:
                self.store.delete()
            return problems

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def __enter__(self) -> Reconciler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- helpers ----------------------------------------------------------------------------

    def _driver(self, effect: Effect) -> Driver | None:
        return next((d for d in self.drivers if d.handles(effect)), None)

    def _driver_for(self, effect: Effect) -> Driver:
        driver = self._driver(effect)
        if driver is None:
            raise InvalidInput(f"no fault driver for {effect.label()}")
        return driver

    def _save(self, effects: Iterable[Effect]) -> None:
        self.store.save([Entry(e, self._undo(e)) for e in sorted(effects, key=lambda e: e.key)])

    def _undo(self, effect: Effect) -> UndoRecord:
        driver = self._driver(effect)
        if isinstance(driver, Undoable):
            return driver.undo_record(effect)
        return Unknown({"driver": driver.name if driver else None})

    def _journal(
        self, effect: Effect, on: bool, due: float, wall: float, error: str | None = None
    ) -> None:
        if self.journal is None:
            return
        self.journal.write(
            Transition(
                wall=wall,
                t=self._t(wall),
                fault=effect.fault,
                effect=effect.label(),
                target=effect.target,
                on=on,
                scheduled=due,
                ok=error is None,
                error=error,
            )
        )
