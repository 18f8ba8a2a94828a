"""The children of the local supervisor: mock services and a team's own programs.

A mock inherits its listeners already bound (no port race) and reads a JSON config; a team's
program binds its own ports (chosen free here, kept across restarts) and gets every address
through templates (harness/model/program.py) in its command, environment and config file.
Each child runs in its own process group, so a pause or kill reaches everything it forked.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sys
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen
from typing import Any

from harness import procs
from harness.errors import StackError
from harness.model.program import Program, render

HOST = "127.0.0.1"
SIGNALS = {
    "STOP": signal.SIGSTOP,
    "CONT": signal.SIGCONT,
    "KILL": signal.SIGKILL,
    "TERM": signal.SIGTERM,
}


@dataclass
class Child:
    """One process the supervisor owns and the ports it keeps across restarts."""

    name: str
    ports: dict[str, int]
    log: Path
    proc: Popen[bytes] | None = None
    paused: bool = False
    killed_by_fault: bool = False
    sockets: list[socket.socket] = field(default_factory=list)  # its ports, held until it starts

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, env: dict[str, str]) -> None:
        self.proc = self._spawn(env)
        self.paused = False
        self.killed_by_fault = False

    def _spawn(self, env: dict[str, str]) -> Popen[bytes]:
        raise NotImplementedError

    def signal(self, name: str) -> None:
        """Send a fault's signal to the child's whole process group (a program's workers too)."""
        sig = SIGNALS[name]
        if self.proc is not None and self.alive:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            if sig in (signal.SIGKILL, signal.SIGTERM):
                self.proc.wait(5)
                self.killed_by_fault = True
        self.paused = sig == signal.SIGSTOP

    def log_tail(self, lines: int = 12) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        tail = text.strip().splitlines()[-lines:]
        return "\n".join(f"    {line}" for line in tail) or "    (the log is empty)"


@dataclass
class MockChild(Child):
    """A mock service: `python -m <module> --config FILE`, listeners handed over as fds."""

    argv: list[str] = field(default_factory=list)
    config: dict[str, Any] = field(default_factory=dict)
    config_file: Path = Path()

    def _spawn(self, env: dict[str, str]) -> Popen[bytes]:
        """Hand the listeners over (bound at start-up, or bound again after a kill) and let the
        child own them."""
        if not self.sockets:
            self.sockets = [procs.bound_listener(HOST, port) for port in self.ports.values()]
        for listener, sock in zip(self.ports, self.sockets, strict=True):
            self.config["listen"][listener]["fd"] = sock.fileno()
        self.config_file.write_text(json.dumps(self.config, indent=2), encoding="utf-8")
        with self.log.open("ab") as log:
            proc = procs.spawn(
                self.argv,
                env=env,
                stdout=log,
                stderr=log,
                pass_fds=[s.fileno() for s in self.sockets],
            )
        for s in self.sockets:
            s.close()  # the child has its copy; ours would keep the port "open" while it is dead
        self.sockets = []
        return proc


@dataclass
class ProgramChild(Child):
    """A team's own program, started in its run folder with its templates filled in, under a
    keeper (keeper.py) that ends everything it forks when the supervisor dies."""

    program: Program = field(default_factory=Program)
    region: str | None = None
    run_dir: Path = Path()  # its rendered config (and anything it writes there)
    cwd: Path = Path()  # the topology file's folder: paths in the command read like the file's
    links: dict[str, str] = field(default_factory=dict)  # link name -> its proxy's host:port

    @property
    def listen(self) -> dict[str, str]:
        return {name: f"{HOST}:{port}" for name, port in self.ports.items()}

    @property
    def config_file(self) -> Path | None:
        to = self.program.config_to
        return self.run_dir / to if to else None

    def fill(self, text: str) -> str:
        if self.region is not None:
            text = text.replace("{region}", self.region)
        config = self.config_file
        return render(text, self.links, self.listen, str(config) if config else None)

    def _spawn(self, env: dict[str, str]) -> Popen[bytes]:
        for s in self.sockets:
            s.close()  # held until now so nothing else took the port; the program binds it
        self.sockets = []
        self.run_dir.mkdir(parents=True, exist_ok=True)
        program, config = self.program, self.config_file
        if program.template and config is not None:
            text = Path(program.template).read_text(encoding="utf-8")
            config.parent.mkdir(parents=True, exist_ok=True)
            config.write_text(self.fill(text), encoding="utf-8")
        argv = [self.fill(arg) for arg in program.command]
        own_env = {**env, **{key: self.fill(value) for key, value in program.env}}
        if not _runnable(argv[0], self.cwd, own_env.get("PATH")):  # say so now, by name
            raise StackError(f"{self.name}: cannot start {argv[0]!r}: not found or not executable")
        keeper = [sys.executable, "-m", "harness.backends.local.keeper", *argv]
        with self.log.open("ab") as log:
            return procs.spawn(keeper, env=own_env, cwd=self.cwd, stdout=log, stderr=log)


def _runnable(program: str, cwd: Path, path: str | None) -> bool:
    if "/" in program:
        return os.access(cwd / program, os.X_OK)
    return shutil.which(program, path=path) is not None
