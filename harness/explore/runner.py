"""One example of a search: its scenario file written, judged against the floor, run on the
search's stack like `harness run` would, its console output kept beside its report."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from harness.assertions.evaluate import Outcome
from harness.errors import HarnessError, InfrastructureError
from harness.explore.example import Examples
from harness.explore.schedule import Schedule
from harness.explore.search import Abort, StopSearch, Tried
from harness.model import floor
from harness.report import readable
from harness.report.folder import prepare_report_dir
from harness.run.options import RunOptions, RunResult
from harness.run.replay import Run
from harness.run.signals import Signals
from harness.stacks import Stack

CONSOLE = "console.txt"  # what `harness run` would have printed, kept with the example's report


@dataclass
class ExampleRunner:
    examples: Examples
    replay: float  # wall seconds per example
    stack: Stack
    options: RunOptions
    signals: Signals
    folder: Path  # the search's output folder

    def __call__(self, number: int, schedule: Schedule) -> Tried:
        if self.signals.received is not None:  # arrived between two runs
            raise StopSearch(self.signals.received)
        console = Console(record=True, file=io.StringIO(), width=120, color_system=None)
        report_dir = self.folder / "examples" / f"{number:03}"
        started = time.monotonic()
        try:
            result = self._run(schedule, report_dir, console)
        except HarnessError as exc:  # no verdict on the schedule: the search cannot go on
            raise Abort(exc) from None
        finally:
            if report_dir.is_dir():
                (report_dir / CONSOLE).write_text(console.export_text(), encoding="utf-8")
        if result.verdict == "interrupted":
            raise StopSearch(self.signals.received or 2)
        if result.verdict not in ("passed", "failed"):
            raise Abort(InfrastructureError(f"example {number}: {result.reason}"))
        broken = [o for o in result.outcomes if not o.passed]
        return Tried(
            number,
            schedule,
            result.verdict == "failed",
            "; ".join(map(broke, broken)) or "passed",
            report_dir,
            time.monotonic() - started,
        )

    def _run(self, schedule: Schedule, report_dir: Path, console: Console) -> RunResult:
        data = self.examples.data_for(schedule, self.replay)
        path = self.examples.write(data, report_dir.with_suffix(".yaml"), "")
        scenario = floor.check(self.examples.scenario(data, path))
        return Run(
            scenario,
            self.stack.info,
            prepare_report_dir(report_dir),
            replace(self.options, live=False),
            console,
            self.signals,
            drivers=self.stack.drivers(),
            evidence=self.stack.evidence(),
        ).execute()


def broke(outcome: Outcome) -> str:
    """`'112 answered in every region' 61.2 % in rotterdam (needs ≥ 99.9 %)`."""
    where = f" in {outcome.worst}" if outcome.worst else ""
    seen = readable.value(outcome.metric, outcome.observed)
    needs = readable.threshold(outcome.metric, outcome.op, outcome.threshold)
    return f"'{outcome.name}' {seen}{where} (needs {needs})"
