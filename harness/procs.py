"""Child processes the harness owns: started so they die with us, stopped by process group.

We never search for processes by name: every process we end is one we started, by its id.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # runs in the child between fork and exec
    os.setsid()  # own process group, so stop() can end it and everything it started
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def spawn(
    argv: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    stdout: int | IO[Any] | None = subprocess.DEVNULL,
    stderr: int | IO[Any] | None = subprocess.DEVNULL,
    pass_fds: Sequence[int] = (),
    die_with_parent: bool = True,
) -> subprocess.Popen[bytes]:
    """Start a child in its own process group; with `die_with_parent` the kernel kills it
    when we die, even by kill -9, so nothing outlives its owner."""
    return subprocess.Popen(
        list(argv),
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        pass_fds=tuple(pass_fds),
        preexec_fn=_die_with_parent if die_with_parent else os.setsid,
        close_fds=True,
    )


def stop(proc: subprocess.Popen[Any], grace: float = 2.0) -> int | None:
    """SIGTERM the child's process group, SIGKILL it after `grace` seconds; reap it."""
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGCONT)  # a paused child cannot act on SIGTERM
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(5)
    else:
        _signal_group(proc.pid, signal.SIGKILL)  # stragglers left in its group
    return proc.returncode


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (for programs that cannot take a bound socket)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def bound_listener(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening TCP socket to hand to a child (no port race), inheritable."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((host, port))
        s.listen(1024)
        s.set_inheritable(True)
    except OSError:
        s.close()
        raise
    return s


def alive(pid: int) -> bool:
    """Is `pid` a living process? A zombie (a child not yet reaped) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's, but there
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().split(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return False
