"""Keeps a team's program and everything it forks from outliving the local stack.

    python -m harness.backends.local.keeper PROGRAM [ARG...]

The supervisor starts this as the leader of a new process group; it runs the program in that
same group and waits for it. The kernel kills a child with its parent (PDEATHSIG) but not the
child's children: Kamailio's workers would survive a supervisor killed with -9. So the keeper
asks for SIGTERM when the supervisor dies and then ends the whole group (SIGTERM, then
SIGKILL after a grace). Faults still signal the group directly (pause, kill), and when the
program exits the keeper ends its stragglers and exits with the program's code.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from types import FrameType

GRACE = 2.0  # seconds the program has to stop on SIGTERM before the group is killed
_PR_SET_PDEATHSIG = 1


def end_group(grace: float = GRACE) -> None:
    """SIGTERM every other member of our group, SIGKILL the group after `grace`."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the group's SIGTERM reaches us too
    group = os.getpgrp()
    os.killpg(group, signal.SIGCONT)  # a paused program cannot act on SIGTERM
    os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and _others(group):
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)  # ends us as well


def _others(group: int) -> bool:
    """Any member of `group` besides us, not yet a zombie?"""
    me = os.getpid()
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            return True
    return False


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m harness.backends.local.keeper PROGRAM [ARG...]", file=sys.stderr)
        return 2
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)  # the supervisor died: end the group

    def stop(signum: int, frame: FrameType | None) -> None:
        end_group()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)  # an orphaned group with a paused member gets SIGHUP
    if os.getppid() == 1:
        return 1  # the supervisor died before we could ask to be told
    try:
        program = subprocess.Popen(argv, stdin=subprocess.DEVNULL)  # same group as ours
    except OSError as exc:
        print(f"cannot start {argv[0]!r}: {exc.strerror}", file=sys.stderr, flush=True)
        return 127
    code = program.wait()
    if _others(os.getpgrp()):
        end_group()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
