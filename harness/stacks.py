"""Bringing a stack up and down with the chosen backend, and finding it again later."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from harness.backends.current import current_stack
from harness.backends.local.backend import LocalBackend
from harness.backends.lock import Holder, StackBusy, StackLock
from harness.backends.stack import StackInfo
from harness.errors import InvalidInput
from harness.paths import stack_file


class Stack:
    """A stack for one run: the one already up, or one started now and stopped by `close()`."""

    def __init__(
        self, info: StackInfo, owner: LocalBackend | object | None, scratch: Path | None = None
    ) -> None:
        self.info = info
        self._owner = owner
        self._scratch = scratch  # a private state folder, removed with the stack

    @property
    def ephemeral(self) -> bool:
        return self._owner is not None

    def close(self) -> None:
        owner, self._owner = self._owner, None
        if owner is not None:
            owner.down()  # type: ignore[attr-defined]
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)


def _backend(name: str, topology: Path, state_dir: Path) -> LocalBackend | object:
    if name == "local":
        return LocalBackend(topology.resolve(), state_dir)
    if name == "compose":
        from harness.backends.compose import ComposeBackend
        from harness.model.topology import load_topology

        backend: object = ComposeBackend(load_topology(topology))
        return backend
    raise InvalidInput(f"backend {name} cannot be started by the harness")


def bring_up(
    backend: str, topology: Path, state_dir: Path, detach: bool, timeout: float = 30.0
) -> StackInfo:
    """`harness up`: start a stack that outlives this process; refuse a second one."""
    if (running := current_stack(state_dir)) is not None:
        raise InvalidInput(
            f"a {running.backend} stack is already up (from {running.topology}); "
            "`harness down` first"
        )
    owner = _backend(backend, topology, state_dir)
    if isinstance(owner, LocalBackend):
        return owner.up(detach=detach, timeout=timeout)
    info: StackInfo = owner.up(timeout)  # type: ignore[attr-defined]
    info.save(stack_file(state_dir))
    return info


def take_down(state_dir: Path) -> bool:
    """`harness down`: stop whatever stack is up; False when none was."""
    info = current_stack(state_dir)
    if info is None:
        return False
    if info.backend == "local":
        LocalBackend(Path(info.topology), state_dir).down(info)
    elif info.backend == "compose":
        from harness.backends.compose import ComposeBackend
        from harness.model.topology import load_topology

        ComposeBackend(load_topology(Path(info.topology)), project=info.project).down()
        stack_file(state_dir).unlink(missing_ok=True)
    else:
        stack_file(state_dir).unlink(missing_ok=True)
    return True


def stack_for_run(
    backend: str,
    topology: Path,
    state_dir: Path,
    external: Path | None = None,
    timeout: float = 30.0,
) -> Stack:
    """The stack a run uses: external as described, the running one if it matches the
    scenario's topology, else a new one owned by this run (beside the running one when that
    one was built from another topology)."""
    placement = place(backend, topology, state_dir, external)
    return placement.open(backend, topology, timeout)


@dataclass(frozen=True)
class Placement:
    """Where a run's stack lives: `state_dir` holds its stack.json, applied.json and run lock."""

    state_dir: Path
    kept: StackInfo | None  # a stack that is up already; None: the run brings its own up
    private: bool = False  # state_dir is this run's own folder, removed with its stack

    def open(self, backend: str, topology: Path, timeout: float = 30.0) -> Stack:
        if self.kept is not None:
            return Stack(self.kept, None)
        owner = _backend(backend, topology, self.state_dir)
        scratch = self.state_dir if self.private else None
        if isinstance(owner, LocalBackend):
            return Stack(owner.up(detach=False, timeout=timeout), owner, scratch)
        info: StackInfo = owner.up(timeout)  # type: ignore[attr-defined]
        return Stack(info, owner, scratch)

    def beside(self, state_dir: Path) -> Placement:
        """A private folder next to a stack another run holds: a stack of this run's own."""
        return Placement(state_dir / "runs" / str(os.getpid()), None, private=True)


def place(backend: str, topology: Path, state_dir: Path, external: Path | None) -> Placement:
    if backend == "external":
        from harness.backends.current import load_external

        if external is None:
            raise InvalidInput("--backend external needs --stack FILE (a stack description)")
        return Placement(state_dir, load_external(external))
    running = current_stack(state_dir)
    if running is None:
        return Placement(state_dir, None)
    if Path(running.topology).resolve() == topology.resolve():
        return Placement(state_dir, running)
    if backend != "local":
        raise InvalidInput(
            f"the running stack was built from {running.topology}, the "
            f"scenario needs {topology}; `harness down` first"
        )
    # Another topology is up: this run gets a private local stack beside it.
    return Placement(state_dir, None).beside(state_dir)


@contextmanager
def claim_stack(
    backend: str, topology: Path, state_dir: Path, external: Path | None, scenario: str
) -> Iterator[tuple[Placement, StackLock]]:
    """Place the run and lock its stack for as long as the run lasts. A stack another live run
    holds is refused (StackBusy, exit 3), unless that run brought it up for itself: then this
    run starts a stack of its own beside it, as if the other were not there."""
    placement = place(backend, topology, state_dir, external)
    lock = StackLock(placement.state_dir)
    try:
        lock.acquire(Holder.this_run(scenario, own_stack=placement.kept is None))
    except StackBusy as busy:
        if backend == "external" or busy.holder is None or not busy.holder.own_stack:
            raise
        placement = placement.beside(state_dir)
        lock = StackLock(placement.state_dir).acquire(Holder.this_run(scenario, True))
    try:
        yield placement, lock
    finally:
        lock.release()
