"""Runs Locust as a managed, bounded subprocess (never imported here: see __init__.py).

`LoadRunner` builds the load config from a scenario and a stack, writes it to the report
directory and starts headless Locust through harness.procs (own process group, dies with us).
`start` returns once every user of every worker is in place and Locust has chosen t = 0
(start_gate.py): no later than asked, later when start-up took longer. The run always ends by
itself: users start nothing after `end`, and `--run-time` stops Locust once the last request
started before `end` has had its worst-case time to finish.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from harness import procs
from harness.errors import InfrastructureError, InvalidInput
from harness.load.config import (
    DEFAULT_OPTIONS,
    READY_FILE,
    LoadConfig,
    LoadOptions,
    build_load_config,
)
from harness.load.run_locustfile import write_run_locustfile
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.paths import project_root

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Seconds Locust lets a user finish its request when told to stop. None is in flight when
# --run-time ends the run (users stop starting requests at `end`, and the run time includes
# the drain), so 0 only matters for stop(): it ends at once, well within its 2 s.
STOP_TIMEOUT = 0
STOP_GRACE = 2.0  # seconds from SIGTERM to SIGKILL of the whole process group
START_UP = 5.0  # seconds Locust may need to stop after its run time
READY_WAIT = 30.0  # seconds Locust may take until every user is in place (forks, imports)


class LocustRun:
    """One headless Locust process (with `processes` > 1: a master and its forked workers;
    with `workers`: a master waiting for that many `harness worker`s to join at `bind`)."""

    def __init__(
        self,
        config: LoadConfig,
        report_dir: Path,
        processes: int = 1,
        workers: int = 0,
        bind: tuple[str, int] = ("127.0.0.1", 0),
        ready_wait: float = READY_WAIT,
    ) -> None:
        if not config.groups:
            raise InvalidInput("the load has no traffic with a positive rate")
        if processes < 1:
            raise InvalidInput(f"processes must be at least 1, not {processes}")
        if workers and processes > 1:
            raise InvalidInput("--processes forks local workers; with --workers, start more")
        self.config = config
        self.report_dir = Path(report_dir)
        self.processes = processes
        self.workers = workers
        self.bind = bind
        self.ready_wait = ready_wait  # seconds until every user (every worker) is in place
        self.locustfile = LOCUSTFILE
        self.config_file = self.report_dir / "load-config.json"
        self.log_file = self.report_dir / "locust.log"
        self.csv_prefix = self.report_dir / "locust"
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_file = self.report_dir / READY_FILE
        self.master_port = 0  # with `processes` > 1: the loopback port its workers join
        self._log: IO[Any] | None = None
        self._deadline = 0.0
        self.wall_start = config.wall_start  # t = 0 as Locust chose it, once started

    def run_time(self, now: float) -> int:
        """Whole seconds until `end` plus the drain of requests still in flight then, plus
        the wait for every user (a later t = 0 moves `end`); Locust quits earlier by itself."""
        late = max(0.0, self.config.end - now) + self.config.drain + self.ready_wait
        return max(1, math.ceil(late))

    def argv(self, now: float) -> list[str]:
        users = self.config.users
        argv = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(self.locustfile),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),  # everyone within a second; each user then waits for its own offset
            "--run-time",
            f"{self.run_time(now)}s",
            "--stop-timeout",
            str(STOP_TIMEOUT),
            "--csv",
            str(self.csv_prefix),
            "--only-summary",
            "--exit-code-on-error",
            "0",  # failed requests are data, not a failure of Locust
            "--loglevel",
            "INFO",
        ]
        if self.processes > 1:
            # loopback only, on a free port: two runs on one machine must not meet
            port = str(self.master_port)
            argv += ["--processes", str(self.processes)]
            argv += ["--master-bind-host", "127.0.0.1", "--master-bind-port", port]
            argv += ["--master-host", "127.0.0.1", "--master-port", port]
        if self.workers:
            argv += ["--master", "--expect-workers", str(self.workers)]
            argv += ["--expect-workers-max-wait", str(math.ceil(self.ready_wait))]
            argv += ["--master-bind-host", self.bind[0], "--master-bind-port", str(self.bind[1])]
        return argv

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = python_path()
        env["DC_LOAD_CONFIG"] = str(self.config_file)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self) -> LocustRun:
        if self.proc is not None:
            raise InfrastructureError("this load run was already started")
        self.report_dir.mkdir(parents=True, exist_ok=True)
        Path(self.config.journal).parent.mkdir(parents=True, exist_ok=True)
        self.config.save(self.config_file)
        self.ready_file.unlink(missing_ok=True)
        if self.processes > 1:
            self.master_port = procs.free_port()  # Locust binds it a moment later
        if self.workers:  # they download the locustfile, config inline, from the master
            self.locustfile = write_run_locustfile(self.config, self.report_dir)
        now = time.time()
        self._log = self.log_file.open("ab")
        # cwd is the report dir: Locust must not pick up a locust.conf lying around elsewhere
        self.proc = procs.spawn(
            self.argv(now), env=self.env(), cwd=self.report_dir, stdout=self._log, stderr=self._log
        )
        self._deadline = now + self.run_time(now) + START_UP
        try:
            self.wall_start = self._await_ready(now + self.ready_wait)
        except BaseException:
            self.stop()
            raise
        shifted_end = self.config.end + self.wall_start - self.config.wall_start
        self._deadline = shifted_end + self.config.drain + START_UP
        return self

    def _await_ready(self, deadline: float) -> float:
        """t = 0 from Locust's ready file; an error if Locust ends or takes too long first."""
        assert self.proc is not None
        while not self.ready_file.exists():
            if self.proc.poll() is not None:
                raise InfrastructureError(f"{self._not_ready()}; see {self.log_file}")
            if time.time() > deadline:  # with workers: the master may not have given up yet
                late = f"Locust's users were not all in place within {self.ready_wait:g} s"
                raise InfrastructureError(
                    f"{self._not_ready() if self.workers else late}; see {self.log_file}"
                )
            time.sleep(0.02)
        ready = json.loads(self.ready_file.read_text(encoding="utf-8"))
        return float(ready["wall_start"])

    @property
    def expected_end(self) -> float:
        """Unix time by which Locust will have ended by itself."""
        return self._deadline

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for Locust to end by itself; its exit code, or None if still running."""
        if self.proc is None:
            return None
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        procs.stop(self.proc)  # reaps any forked worker left in its process group
        self._close_log()
        return code

    def stop(self) -> int | None:
        """SIGTERM the process group; SIGKILL whatever is left after 2 s."""
        if self.proc is None:
            return None
        code = procs.stop(self.proc, grace=STOP_GRACE)
        self._close_log()
        return code

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> LocustRun:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _not_ready(self) -> str:
        if not self.workers:
            return "Locust ended before its users were in place"
        host, port = self.bind
        joined = _joined(self.log_file)
        return (
            f"{joined} of {self.workers} Locust workers joined the master at {host}:{port} "
            f"within {self.ready_wait:g} s (start them with `harness worker --master {host}:{port}`)"
        )


def _joined(log_file: Path) -> int:
    """How many workers Locust's master last said were connected: it logs each worker that
    joins ("... reported as ready. 1 workers connected.") and, after 5 s, how many it has."""
    joined = 0
    for line in log_file.read_text(encoding="utf-8", errors="replace").splitlines():
        if "reported as ready. " in line and " workers connected" in line:
            joined = int(line.split("reported as ready. ")[1].split(" ")[0])
        elif "Waiting for workers to be ready, " in line:
            joined = int(line.split("ready, ")[1].split(" of ")[0])
    return joined


def python_path() -> str:
    """PYTHONPATH for a Locust process: our package first, then the caller's."""
    root = str(project_root())
    return os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)


class LoadRunner(LocustRun):
    """The load of a scenario run against a stack, from `wall_start` for `duration` seconds."""

    def __init__(
        self,
        scenario: Scenario,
        stack: StackInfo,
        journal_path: Path,
        report_dir: Path,
        wall_start: float,
        duration: float,
        processes: int = 1,
        options: LoadOptions = DEFAULT_OPTIONS,
        workers: int = 0,
        bind: tuple[str, int] = ("127.0.0.1", 0),
        ready_wait: float = READY_WAIT,
    ) -> None:
        config = build_load_config(scenario, stack, journal_path, wall_start, duration, options)
        super().__init__(config, report_dir, processes, workers, bind, ready_wait)
