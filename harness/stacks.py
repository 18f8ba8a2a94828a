"""Bringing a stack up and down with the chosen backend, and finding it again later."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.backends.current import current_stack
from harness.backends.evidence import Evidence
from harness.backends.lock import Holder, StackBusy, StackLock
from harness.backends.protocol import Backend, Site
from harness.backends.registry import backend, backend_of
from harness.errors import InvalidInput
from harness.faults.driver import Driver
from harness.model.stack import StackInfo
from harness.paths import stack_file


class Stack:
    """A stack for one run: the one already up, or one started now and stopped by `close()`."""

    def __init__(
        self, info: StackInfo, backend: Backend, owned: bool, scratch: Path | None = None
    ) -> None:
        self.info = info
        self.backend = backend  # what runs it: its fault drivers and evidence probes
        self._owned = owned
        self._scratch = scratch  # a private state folder, removed with the stack

    @property
    def ephemeral(self) -> bool:
        return self._owned

    def drivers(self) -> list[Driver]:
        return self.backend.drivers(self.info)

    def evidence(self) -> Evidence:
        return self.backend.evidence(self.info)

    def close(self) -> None:
        owned, self._owned = self._owned, False
        if owned:
            self.backend.down()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def bring_up(
    name: str, topology: Path, state_dir: Path, detach: bool, timeout: float = 30.0
) -> StackInfo:
    """`harness up`: start a stack that outlives this process; refuse a second one."""
    if (running := current_stack(state_dir)) is not None:
        raise InvalidInput(
            f"a {running.backend} stack is already up (from {running.topology}); "
            "`harness down` first"
        )
    return backend(name, Site(topology, state_dir)).up(detach=detach, timeout=timeout)


def take_down(state_dir: Path) -> bool:
    """`harness down`: stop whatever stack is up; False when none was."""
    info = current_stack(state_dir)
    if info is None:
        return False
    backend_of(info, state_dir).down()
    stack_file(state_dir).unlink(missing_ok=True)
    return True


def stack_for_run(
    name: str,
    topology: Path,
    state_dir: Path,
    external: Path | None = None,
    timeout: float = 30.0,
) -> Stack:
    """The stack a run uses: external as described, the running one if it matches the
    scenario's topology, else a new one owned by this run (beside the running one when that
    one was built from another topology)."""
    placement = place(name, topology, state_dir, external)
    return placement.open(name, topology, timeout)


@dataclass(frozen=True)
class Placement:
    """Where a run's stack lives: `state_dir` holds its stack.json, applied.json and run lock."""

    state_dir: Path
    kept: StackInfo | None  # a stack that is up already; None: the run brings its own up
    private: bool = False  # state_dir is this run's own folder, removed with its stack
    described: bool = False  # `kept` is a stack the user runs: never one of the run's own

    def open(self, name: str, topology: Path, timeout: float = 30.0) -> Stack:
        if self.kept is not None:
            return Stack(self.kept, backend_of(self.kept, self.state_dir), owned=False)
        owner = backend(name, Site(topology, self.state_dir))
        scratch = self.state_dir if self.private else None
        return Stack(owner.up(detach=False, timeout=timeout), owner, True, scratch)

    def beside(self, state_dir: Path) -> Placement:
        """A private folder next to a stack another run holds: a stack of this run's own."""
        return Placement(state_dir / "runs" / str(os.getpid()), None, private=True)


def place(name: str, topology: Path, state_dir: Path, external: Path | None) -> Placement:
    chosen = backend(name, Site(topology, state_dir, description=external))
    if not chosen.starts_stacks:
        return Placement(state_dir, chosen.describe(), described=True)
    running = current_stack(state_dir)
    if running is None:
        return Placement(state_dir, None)
    if Path(running.topology).resolve() == topology.resolve():
        return Placement(state_dir, running)
    if not chosen.side_by_side:
        raise InvalidInput(
            f"the running stack was built from {running.topology}, the "
            f"scenario needs {topology}; `harness down` first"
        )
    # Another topology is up: this run gets a private stack beside it.
    return Placement(state_dir, None).beside(state_dir)


@contextmanager
def claim_stack(
    name: str, topology: Path, state_dir: Path, external: Path | None, scenario: str
) -> Iterator[tuple[Placement, StackLock]]:
    """Place the run and lock its stack for as long as the run lasts. A stack another live run
    holds is refused (StackBusy, exit 3), unless that run brought it up for itself: then this
    run starts a stack of its own beside it, as if the other were not there."""
    placement = place(name, topology, state_dir, external)
    lock = StackLock(placement.state_dir)
    try:
        lock.acquire(Holder.this_run(scenario, own_stack=placement.kept is None))
    except StackBusy as busy:
        if placement.described or busy.holder is None or not busy.holder.own_stack:
            raise
        placement = placement.beside(state_dir)
        lock = StackLock(placement.state_dir).acquire(Holder.this_run(scenario, True))
    try:
        yield placement, lock
    finally:
        lock.release()
