"""The `harness` command. It only parses arguments and calls the modules that do the work."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.table import Table

from harness import paths
from harness.cli_options import (
    backend_options,
    scale_options,
    seconds,
    topology_option,
    workers_fields,
)
from harness.errors import HarnessError, InvalidInput
from harness.progress import terminal_console

F = TypeVar("F", bound=Callable[..., Any])
err = terminal_console(stderr=True)
out = terminal_console(stderr=False)


def reports_errors(fn: F) -> F:
    """HarnessErrors become a message and their exit code; bad input never shows a traceback.
    A problem stays on one line however long, so editors and grep can follow `file:line`."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            for problem in exc.problems:  # an argument's problem has no file to name
                text = problem.message if problem.file == "<input>" else str(problem)
                err.print(text, markup=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except HarnessError as exc:
            err.print(f"error: {exc}", markup=False)
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dispatch-chaos")
def main() -> None:
    """dispatch-chaos: prove that shared-ICT instability cannot reach the 112 path."""


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@backend_options
@click.option(
    "--duration", type=float, default=None, callback=seconds, help="replay length in seconds"
)
@click.option("--seed", type=int, default=None, help="override the scenario's seed")
@topology_option("replay the scenario")
@click.option(
    "--report-dir",
    type=click.Path(path_type=Path),
    default=None,
    help="write the run's files here instead of reports/<scenario>-<UTC time>/",
)
@scale_options
@reports_errors
def run(
    scenario: Path,
    backend: str,
    stack_file: Path | None,
    duration: float | None,
    seed: int | None,
    topology: Path | None,
    report_dir: Path | None,
    processes: int,
    workers: int | None,
    master_bind: str | None,
    workers_wait: float | None,
) -> None:
    """Replay SCENARIO against the stack and exit with its verdict (0 passed, 1 failed)."""
    from harness.run import RunOptions, run_scenario

    options = RunOptions(
        backend=backend,
        duration=duration,
        seed=seed,
        topology=topology,
        report_dir=report_dir,
        state_dir=paths.state_dir(),
        processes=processes,
        external_stack=stack_file,
        **workers_fields(backend, processes, workers, master_bind, workers_wait),
    )
    result = run_scenario(scenario, options)
    sys.exit(result.exit_code)


@main.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--budget", type=click.IntRange(min=1), required=True, help="runs at most")
@click.option("--seed", type=int, default=None, help="hypothesis's seed: the same search again")
@click.option("--max-time", type=float, default=None, callback=seconds, help="wall seconds at most")
@backend_options
@topology_option("search")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="write the examples, reproducer.yaml and explanation.txt here",
)
@reports_errors
def explore(
    scenario: Path,
    budget: int,
    seed: int | None,
    max_time: float | None,
    backend: str,
    stack_file: Path | None,
    topology: Path | None,
    out_dir: Path | None,
) -> None:
    """Search fault schedules within SCENARIO's `explore:` bounds for the smallest that breaks
    its target; exit 1 when one is found (reproducer.yaml), 0 when none within the budget."""
    from harness.explore.start import ExploreOptions, explore_scenario
    from harness.run import RunOptions

    run = RunOptions(
        backend=backend, topology=topology, state_dir=paths.state_dir(), external_stack=stack_file
    )
    options = ExploreOptions(budget, seed, max_time, out_dir, run)
    sys.exit(explore_scenario(scenario, options).exit_code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--duration",
    type=float,
    default=None,
    callback=seconds,
    help="check the sample floor at this replay length in seconds instead of the file's",
)
@reports_errors
def validate(files: tuple[Path, ...], duration: float | None) -> None:
    """Check scenario files; print every problem as file:line: message (exit 2 if any), and
    warn about each fault, assertion and halt with neither a source nor an assumption."""
    from harness.model import floor
    from harness.model.scenario import load_scenario_with_warnings

    problems = []
    for file in files:
        try:
            scenario, warnings = load_scenario_with_warnings(file)
            scenario = floor.check(scenario.with_overrides(duration))
            out.print(
                f"ok  {file}  ({scenario.name}: {len(scenario.faults)} faults, "
                f"{len(scenario.assertions)} assertions)",
                markup=False,
            )
            for warning in warnings:  # not a problem: the exit code stays 0
                err.print(str(warning), markup=False, soft_wrap=True)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)


@main.command("list")
@click.option(
    "--dir",
    "root",
    type=click.Path(path_type=Path),
    default=None,
    help="scenario folder (default: the project's scenarios/)",
)
@reports_errors
def list_(root: Path | None) -> None:
    """Every scenario with its one-line description, its sources and, apart, its assumptions."""
    from harness.catalog import catalog

    table = Table(show_lines=True)
    for column in ("scenario", "file", "description", "sources", "assumptions"):
        table.add_column(column, overflow="fold")
    for entry in catalog(root or paths.scenarios_dir()):
        description = entry.summary if entry.problem is None else f"[red]invalid: {entry.problem}"
        table.add_row(
            entry.name,
            entry.path.name,
            description,
            _items(entry.sources),
            _items(entry.assumptions),
        )
    out.print(table)


def _items(texts: tuple[str, ...]) -> str:
    """One table cell, an item a line: long texts wrap, so each item starts with a dash."""
    return "\n".join(f"- {text}" for text in texts)


@main.command()
@click.option(
    "--backend", type=click.Choice(["local", "compose"]), default="local", show_default=True
)
@click.option(
    "--topology",
    type=click.Path(path_type=Path),
    default=lambda: paths.scenarios_dir() / "topologies" / "meldkamer-nl.yaml",
    help="topology file (default: the Dutch meldkamer landscape)",
)
@click.option("--timeout", type=float, default=30.0, show_default=True)
@reports_errors
def up(backend: str, topology: Path, timeout: float) -> None:
    """Start the mock world behind Toxiproxy and leave it running."""
    from harness.model.topology import load_topology
    from harness.stacks import bring_up

    load_topology(topology)  # a broken file is exit 2 with its lines, before anything starts
    info = bring_up(backend, topology, paths.state_dir(), detach=True, timeout=timeout)
    out.print(
        f"stack up ({info.backend}): {len(info.services)} services, "
        f"{len(info.proxies)} proxies; Toxiproxy API {info.toxiproxy}"
    )
    out.print("`harness status` shows every endpoint; `harness down` stops it.")


@main.command()
@reports_errors
def down() -> None:
    """Stop the stack started by `harness up` (safe when none is up)."""
    from harness.stacks import take_down

    out.print("stack down" if take_down(paths.state_dir()) else "no stack was up")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="machine-readable output")
@reports_errors
def status(as_json: bool) -> None:
    """Every service endpoint and every proxy (listen, upstream, enabled, toxics)."""
    from dataclasses import asdict

    from harness.backends.current import current_stack
    from harness.backends.lock import holder_of
    from harness.status import stack_status

    info = current_stack(paths.state_dir())
    if info is None:
        if as_json:
            out.print_json(json.dumps({"up": False}))
        else:
            out.print("no stack is up (`harness up` starts one)")
        sys.exit(3)
    report = stack_status(info)
    holder = holder_of(paths.state_dir())
    report["run"] = asdict(holder) if holder is not None else None
    if as_json:
        click.echo(json.dumps(report, indent=2))
        sys.exit(3 if report["problems"] else 0)
    services = Table(title=f"services ({report['backend']})")
    for column in ("service", "kind", "region", "endpoints", "pid", "state"):
        services.add_column(column)
    for s in report["services"]:
        state = "paused" if s["paused"] else ("up" if s["alive"] in (True, None) else "down")
        endpoints = " ".join(f"{k}={v}" for k, v in s["endpoints"].items())
        services.add_row(
            s["name"],
            s["kind"],
            s["region"] or "",
            endpoints,
            str(s["pid"] or s["container"] or ""),
            state,
        )
    proxies = Table(title=f"proxies (Toxiproxy {report['toxiproxy']['api']})")
    for column in ("link", "listen", "upstream", "enabled", "toxics"):
        proxies.add_column(column)
    for p in report["proxies"]:
        toxics = ", ".join(f"{t['name']}:{t['type']}" for t in p["toxics"])
        enabled = "missing" if not p["present"] else ("yes" if p["enabled"] else "[red]no")
        link = p["name"] if p["proxy"] == p["name"] else f"{p['name']} ({p['proxy']})"
        proxies.add_row(link, p["listen"], p["upstream"], enabled, toxics)
    out.print(services)
    out.print(proxies)
    out.print(f"in use by {holder}" if holder is not None else "no run is using it", markup=False)
    for problem in report["problems"]:
        err.print(f"error: {problem}", markup=False)
    if report["problems"]:
        sys.exit(3)


@main.command()
@reports_errors
def cleanup() -> None:
    """Remove every fault this harness applied (after a crash or kill -9), and the proxies it
    created on an external stack. Safe any time."""
    from harness.faults.cleanup import cleanup as remove_all

    report = remove_all(paths.state_dir(), proxies=True)
    out.print(str(report), markup=False)
    if not report.ok:
        sys.exit(3)


@main.command()
@click.option("--master", "master", required=True, help="the run's Locust master, HOST:PORT")
@reports_errors
def worker(master: str) -> None:
    """Generate load on this host for a run whose master waits for workers (docs/scale.md);
    ends when the master ends the run."""
    from harness.load.worker import master_address, run_worker

    sys.exit(run_worker(master_address(master)))


@main.command()
@click.argument("run_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@reports_errors
def report(run_dir: Path) -> None:
    """Re-evaluate a finished run from its journal and re-render its reports."""
    from harness.report.rerender import rerender

    sys.exit(rerender(run_dir))
