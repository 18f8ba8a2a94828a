"""One run per stack: the lock a run holds on the state folder of the stack it uses.

Two runs on one stack would each remove the faults the other wants (start-up clean-up, end-of-run
clean-up) and each heal what the other removed, so both verdicts would be muddled. A run holds
`run.lock` in the stack's state folder with flock(2) for as long as it runs. The kernel drops the
lock when its holder dies, even by kill -9, so a dead run's lock is never taken for a live one;
the file names the holder (pid, scenario, start time) for the refusal and for the note when a
stale one is taken over.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from harness.errors import InfrastructureError

LOCK_FILE = "run.lock"


@dataclass(frozen=True)
class Holder:
    """The run that holds (or held) a stack."""

    pid: int
    scenario: str
    started: str  # ISO 8601, UTC
    own_stack: bool  # it brought its stack up itself: a second run may start its own beside it

    @classmethod
    def this_run(cls, scenario: str, own_stack: bool) -> Holder:
        started = datetime.now(UTC).isoformat(timespec="seconds")
        return cls(os.getpid(), scenario, started, own_stack)

    def __str__(self) -> str:
        return f"run pid {self.pid} (scenario {self.scenario}, started {self.started})"


class StackBusy(InfrastructureError):
    """Another live run holds the stack (exit 3)."""

    def __init__(self, holder: Holder | None, path: Path) -> None:
        self.holder = holder
        who = str(holder) if holder is not None else "another run (it is just starting)"
        super().__init__(
            f"the stack is in use by {who}; one run per stack, so this run does not start. "
            f"Wait for it to end, or give this run a stack of its own (DC_STATE_DIR). Lock: {path}"
        )


class StackLock:
    """`acquire()` or StackBusy; `stale` is the dead run whose lock was taken over, if any."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LOCK_FILE
        self.stale: Holder | None = None
        self._fd: int | None = None

    def acquire(self, holder: Holder) -> StackLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                busy = StackBusy(_read(fd), self.path)
                os.close(fd)
                raise busy from None
            if _is_current(fd, self.path):
                break
            os.close(fd)  # the holder removed the file between our open and lock: the new one
        previous = _read(fd)
        self.stale = previous if previous is not None and previous.pid != os.getpid() else None
        _write(fd, holder)
        self._fd = fd
        return self

    def release(self) -> None:
        """Remove the file while still holding it, so nobody locks an orphaned inode."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            if _is_current(fd, self.path):
                self.path.unlink()
        os.close(fd)

    def __enter__(self) -> StackLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def holder_of(state_dir: Path) -> Holder | None:
    """The live run holding the stack in `state_dir`, or None (`harness status` shows it)."""
    path = state_dir / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read(fd)
        return None  # nobody holds it: a stale file
    finally:
        os.close(fd)


def _read(fd: int) -> Holder | None:
    try:
        raw = json.loads(os.pread(fd, 4096, 0) or b"null")
        return Holder(int(raw["pid"]), str(raw["scenario"]), str(raw["started"]), raw["own_stack"])
    except (ValueError, TypeError, KeyError, OSError):
        return None  # empty (its holder is still writing) or not ours


def _write(fd: int, holder: Holder) -> None:
    data = json.dumps(asdict(holder)).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


def _is_current(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False
