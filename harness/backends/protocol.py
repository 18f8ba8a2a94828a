"""The one interface every backend implements (local processes, docker compose, external).

A backend brings a topology up and takes it down, describes the running stack as StackInfo,
and offers what a run needs from it: the fault drivers that work on this kind of stack and the
probes that read the evidence (GMS's incidents, the meldkamer buffers, every mock's health).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from harness.backends.evidence import Evidence
from harness.faults.driver import Driver
from harness.model.stack import StackInfo


@dataclass(frozen=True)
class Site:
    """Where a backend works: the topology it brings up and the folder of its stack's state
    (stack.json, applied.json, the run lock)."""

    topology: Path
    state_dir: Path
    description: Path | None = None  # external: the user's stack description (StackInfo JSON)
    project: str | None = None  # compose: the project name (None: the default one)


class Backend(Protocol):
    name: str
    starts_stacks: bool  # False: the user runs the stack; the harness only reads its description
    side_by_side: bool  # several of its stacks can run at once (a run brings its own up beside)

    def up(self, *, detach: bool = False, timeout: float = 30.0) -> StackInfo:
        """Start the stack and return it once healthy; on failure nothing is left running.
        `detach`: the stack outlives this process (`harness up`), found again via stack.json."""
        ...

    def down(self) -> None:
        """Stop the stack this backend started, or the one `harness up` left; safe to repeat."""
        ...

    def describe(self) -> StackInfo:
        """The running stack as StackInfo (StackError or InvalidInput when there is none)."""
        ...

    def drivers(self, stack: StackInfo) -> list[Driver]:
        """The fault drivers that work on this kind of stack."""
        ...

    def evidence(self, stack: StackInfo) -> Evidence:
        """The probes that read what the mock world holds after a run."""
        ...
