"""What a run is asked to do (RunOptions) and what it comes back with (RunResult)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from rich.console import Console

from harness import paths
from harness.assertions.evaluate import Outcome
from harness.assertions.verdict import Status, Verdict
from harness.report.console import summary_table

LEAD = 3.0  # seconds between starting Locust and scenario t=0: its start-up must not eat the replay


@dataclass(frozen=True)
class RunOptions:
    backend: str = "local"
    duration: float | None = None
    seed: int | None = None
    topology: Path | None = None  # instead of the scenario's own
    report_dir: Path | None = None
    state_dir: Path = field(default_factory=paths.state_dir)
    processes: int = 1
    workers: int = 0  # > 0: the master waits for that many Locust workers (docs/scale.md)
    master_bind: tuple[str, int] | None = None  # where it waits; None: loopback, a free port
    workers_wait: float = 30.0  # seconds the workers have to join before the run is an error
    external_stack: Path | None = None
    live: bool | None = None  # None: live progress when stderr is a terminal
    lead: float = LEAD


@dataclass(frozen=True)
class RunResult:
    verdict: str
    exit_code: int
    report_dir: Path
    outcomes: list[Outcome]
    reason: str = ""

    @property
    def table(self) -> str:
        """The assertion table as plain text (for pytest failure messages)."""
        console = Console(width=140, record=True, file=io.StringIO())
        status = cast(Status, self.verdict)
        console.print(summary_table(self.outcomes, Verdict(status, self.exit_code, self.reason)))
        return console.export_text()
