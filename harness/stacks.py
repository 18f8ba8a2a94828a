"""Bringing a stack up and down with the chosen backend, and finding it again later."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from harness.backends.current import current_stack
from harness.backends.local.backend import LocalBackend
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
    if backend == "external":
        from harness.backends.current import load_external

        if external is None:
            raise InvalidInput("--backend external needs --stack FILE (a stack description)")
        return Stack(load_external(external), None)
    scratch = None
    running = current_stack(state_dir)
    if running is not None and Path(running.topology).resolve() == topology.resolve():
        return Stack(running, None)
    if running is not None:
        if backend != "local":
            raise InvalidInput(
                f"the running stack was built from {running.topology}, the "
                f"scenario needs {topology}; `harness down` first"
            )
        # Another topology is up: this run gets a private local stack beside it.
        state_dir = scratch = state_dir / "runs" / str(os.getpid())
    owner = _backend(backend, topology, state_dir)
    if isinstance(owner, LocalBackend):
        return Stack(owner.up(detach=False, timeout=timeout), owner, scratch)
    info: StackInfo = owner.up(timeout)  # type: ignore[attr-defined]
    return Stack(info, owner)
