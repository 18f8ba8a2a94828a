"""`harness run SCENARIO`: load the scenario, claim a stack for the run (the running one, or a
new one owned by this run), clean up faults an earlier run left, and hand over to Run."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from harness import procs
from harness.errors import InfrastructureError
from harness.faults.cleanup import cleanup
from harness.model import floor
from harness.model.scenario import Scenario, load_scenario_with_warnings
from harness.progress import terminal_console
from harness.report.folder import prepare_report_dir
from harness.run.options import RunOptions, RunResult
from harness.run.replay import Run
from harness.run.signals import Signals
from harness.stacks import claim_stack


def default_report_dir(scenario: Scenario) -> Path:
    return Path("reports") / f"{scenario.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def run_scenario(path: Path, options: RunOptions, console: Console | None = None) -> RunResult:
    """Run the scenario at `path`; raises InvalidInput (exit 2) and InfrastructureError (3)
    before the run starts, and reports everything after that in the result."""
    console = console or terminal_console()
    scenario, warnings = load_scenario_with_warnings(path, options.topology)
    for warning in warnings:  # before anything starts, as `harness validate` prints them
        console.print(str(warning), markup=False, soft_wrap=True)
    scenario = floor.check(scenario.with_overrides(options.duration, options.seed))
    report_dir = (options.report_dir or default_report_dir(scenario)).resolve()
    prepare_report_dir(report_dir)  # before any stack or fault: evidence must be writable
    topology = Path(scenario.topology.file)
    with (
        Signals() as signals,
        claim_stack(
            options.backend, topology, options.state_dir, options.external_stack, scenario.name
        ) as (placement, lock),
    ):
        if lock.stale is not None:
            gone = "is gone" if not procs.alive(lock.stale.pid) else "no longer holds it"
            console.print(
                f"note: took over the stack from {lock.stale}, which {gone}", markup=False
            )
        options = replace(options, state_dir=placement.state_dir)
        clean_up_earlier_faults(options, console)
        console.print(f"stack: {options.backend} ({topology.name}) ...", markup=False)
        stack = placement.open(options.backend, topology)
        try:
            console.print(
                f"stack ready: {len(stack.info.services)} services, "
                f"{len(stack.info.proxies)} proxies",
                markup=False,
            )
            run = Run(
                scenario,
                stack.info,
                report_dir,
                options,
                console,
                signals,
                drivers=stack.drivers(),
                evidence=stack.evidence(),
            )
            return run.execute()
        finally:
            stack.close()


def clean_up_earlier_faults(options: RunOptions, console: Console) -> None:
    leftover = cleanup(options.state_dir)
    if leftover.removed:
        console.print(f"removed faults left by an earlier run:\n{leftover}", markup=False)
    if not leftover.ok:
        raise InfrastructureError(f"cannot remove faults left by an earlier run:\n{leftover}")
