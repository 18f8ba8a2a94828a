"""Starting and stopping the local stack from the harness side (the supervisor does the work)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from harness import procs
from harness.backends.drivers import link_and_app_drivers
from harness.backends.evidence import Evidence, MockEvidence
from harness.backends.protocol import Site
from harness.errors import InvalidInput, StackError
from harness.faults.driver import Driver
from harness.faults.process import ProcessDriver
from harness.model.stack import StackInfo
from harness.model.topology import load_topology
from harness.paths import stack_file
from harness.supervision import SupervisorClient
from harness.toxiproxy.binary import ensure


class LocalBackend:
    """`up(detach=True)` (`harness up`) leaves the stack running after we exit; `detach=False`
    (a single `harness run`) ties it to this process, so even kill -9 takes it down."""

    name = "local"
    starts_stacks = True
    side_by_side = True  # each stack has its own supervisor, ports and state folder

    def __init__(self, topology: Path, state_dir: Path) -> None:
        self.topology = topology
        self.state_dir = state_dir
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    def at(cls, site: Site) -> LocalBackend:
        return cls(site.topology.resolve(), site.state_dir)

    def up(self, detach: bool = False, timeout: float = 20.0) -> StackInfo:
        lacking = [
            s.name
            for s in load_topology(self.topology).services.values()
            if s.program is not None and not s.program.command
        ]
        if lacking:  # an image-only program: the compose backend can run it, we cannot
            raise InvalidInput(
                f"{self.topology}: {', '.join(lacking)}: a team's own program needs run: "
                "for the local backend"
            )
        binary = ensure()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        log_path = self.state_dir / "supervisor.log"
        target = stack_file(self.state_dir)
        target.unlink(missing_ok=True)
        argv = [
            sys.executable,
            "-m",
            "harness.backends.local.supervisor",
            "--topology",
            str(self.topology),
            "--state-dir",
            str(self.state_dir),
            "--toxiproxy",
            str(binary),
            "--timeout",
            str(timeout),
        ]
        with log_path.open("wb") as log:
            self.proc = procs.spawn(argv, stdout=log, stderr=log, die_with_parent=not detach)
        try:
            return self._wait_ready(target, log_path, timeout)
        except BaseException:  # an error or Ctrl-C while starting: leave nothing behind
            procs.stop(self.proc)
            self.proc = None
            raise

    def _wait_ready(self, target: Path, log_path: Path, timeout: float) -> StackInfo:
        assert self.proc is not None
        deadline = time.monotonic() + timeout + 10
        while time.monotonic() < deadline:
            if target.exists():
                return StackInfo.load(target)
            if self.proc.poll() is not None:
                raise StackError(self._failure(log_path))
            time.sleep(0.02)
        raise StackError(f"local stack did not come up within {timeout:g}s; see {log_path}")

    def _failure(self, log_path: Path) -> str:
        error = self.state_dir / "local" / "error"
        if error.exists():
            return error.read_text(encoding="utf-8").strip()
        tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
        return "local stack failed to start: " + " | ".join(tail)

    def describe(self) -> StackInfo:
        """The stack the supervisor announced in stack.json."""
        target = stack_file(self.state_dir)
        try:
            return StackInfo.load(target)
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise StackError(f"no local stack described in {target} ({exc})") from None

    def drivers(self, stack: StackInfo) -> list[Driver]:
        return [*link_and_app_drivers(stack), ProcessDriver.from_stack(stack)]

    def evidence(self, stack: StackInfo) -> Evidence:
        return MockEvidence(stack)

    def down(self, info: StackInfo | None = None, timeout: float = 10.0) -> None:
        """Stop the stack we started, or the one `info` (else stack.json) describes: started
        by `harness up`."""
        if self.proc is not None:
            procs.stop(self.proc, grace=timeout)
            self.proc = None
            return
        if info is None and stack_file(self.state_dir).exists():
            info = self.describe()
        if info is None or info.supervisor_pid is None:
            return
        pid = info.supervisor_pid
        if not _is_supervisor(pid):  # stale stack.json: never signal a recycled pid
            stack_file(self.state_dir).unlink(missing_ok=True)
            return
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and procs.alive(pid):
            time.sleep(0.02)
        if procs.alive(pid):
            os.kill(pid, signal.SIGKILL)  # its children die with it (PDEATHSIG)
        stack_file(self.state_dir).unlink(missing_ok=True)


def _is_supervisor(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"harness.backends.local.supervisor" in cmdline.read()
    except OSError:
        return False


def local_stack_alive(info: StackInfo) -> bool:
    pid = info.supervisor_pid
    if pid is None or not procs.alive(pid) or not _is_supervisor(pid) or info.control is None:
        return False
    try:
        SupervisorClient(info.control, timeout=2).call("status")
    except StackError:
        return False
    return True
