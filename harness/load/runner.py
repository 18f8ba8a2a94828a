"""Runs Locust as a managed, bounded subprocess (never imported here: see __init__.py).

`LoadRunner` builds the load config from a scenario and a stack, writes it to the report
directory and starts headless Locust through harness.procs (own process group, dies with us).
The run always ends by itself: users start nothing after `end`, and `--run-time` stops Locust
once the last request started before `end` has had its worst-case time to finish.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from harness import procs
from harness.errors import InfrastructureError, InvalidInput
from harness.load.config import DEFAULT_OPTIONS, LoadConfig, LoadOptions, build_load_config
from harness.model.scenario import Scenario
from harness.model.stack import StackInfo
from harness.paths import project_root

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Seconds Locust lets a user finish its request when told to stop. None is in flight when
# --run-time ends the run (users stop starting requests at `end`, and the run time includes
# the drain), so 0 only matters for stop(): it ends at once, well within its 2 s.
STOP_TIMEOUT = 0
STOP_GRACE = 2.0  # seconds from SIGTERM to SIGKILL of the whole process group
START_UP = 5.0  # seconds Locust may need to start (imports, forking workers)


class LocustRun:
    """One headless Locust process (with `processes` > 1: a master and its forked workers)."""

    def __init__(self, config: LoadConfig, report_dir: Path, processes: int = 1) -> None:
        if not config.groups:
            raise InvalidInput("the load has no traffic with a positive rate")
        if processes < 1:
            raise InvalidInput(f"processes must be at least 1, not {processes}")
        self.config = config
        self.report_dir = Path(report_dir)
        self.processes = processes
        self.config_file = self.report_dir / "load-config.json"
        self.log_file = self.report_dir / "locust.log"
        self.csv_prefix = self.report_dir / "locust"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[Any] | None = None
        self._deadline = 0.0

    def run_time(self, now: float) -> int:
        """Whole seconds until `end` plus the drain of requests still in flight then."""
        return max(1, math.ceil(max(0.0, self.config.end - now) + self.config.drain))

    def argv(self, now: float) -> list[str]:
        users = self.config.users
        argv = [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
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
            argv += ["--processes", str(self.processes)]
        return argv

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        root = str(project_root())
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["DC_LOAD_CONFIG"] = str(self.config_file)
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def start(self) -> LocustRun:
        if self.proc is not None:
            raise InfrastructureError("this load run was already started")
        self.report_dir.mkdir(parents=True, exist_ok=True)
        Path(self.config.journal).parent.mkdir(parents=True, exist_ok=True)
        self.config.save(self.config_file)
        now = time.time()
        self._log = self.log_file.open("ab")
        # cwd is the report dir: Locust must not pick up a locust.conf lying around elsewhere
        self.proc = procs.spawn(
            self.argv(now), env=self.env(), cwd=self.report_dir, stdout=self._log, stderr=self._log
        )
        self._deadline = now + self.run_time(now) + START_UP
        return self

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
    ) -> None:
        config = build_load_config(scenario, stack, journal_path, wall_start, duration, options)
        super().__init__(config, report_dir, processes)
