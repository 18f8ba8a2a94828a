"""`harness explore SCENARIO`: resolve the bounds, check every example would be valid, claim one
stack for the whole search, search, and write what was found - also after Ctrl-C."""

from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from rich.console import Console

from harness.errors import InvalidInput, Problem
from harness.explore.bounds import Bounds, resolve_bounds
from harness.explore.example import Examples
from harness.explore.found import Found, write_found
from harness.explore.runner import ExampleRunner
from harness.explore.schedule import Schedule, Trial, size_text
from harness.explore.search import Abort, Search, StopSearch, Tried
from harness.explore.strategy import schedules
from harness.model import floor
from harness.model.scenario import build_scenario
from harness.model.scenario_file import ScenarioFile
from harness.model.source import Source, load_yaml
from harness.progress import terminal_console
from harness.report.folder import prepare_report_dir
from harness.run.options import RunOptions
from harness.run.signals import Signals
from harness.run.start import clean_up_earlier_faults
from harness.stacks import claim_stack


@dataclass(frozen=True)
class ExploreOptions:
    budget: int
    seed: int | None = None
    max_time: float | None = None  # wall seconds
    out_dir: Path | None = None
    run: RunOptions = field(default_factory=RunOptions)  # backend, state folder, stack file


@dataclass(frozen=True)
class ExploreResult:
    found: Found
    folder: Path
    reproducer: Path | None
    exit_code: int  # 1 a failure found, 0 none within the budget, 128 + signal when stopped


class SearchSignals(Signals):
    """Before the search, as a run's; during it, a signal between two runs only marks the
    search for stopping (the next example sees it), so no run is cut in its set-up."""

    searching = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.searching:
            super()._handle(signum, frame)
        elif self.received is not None:  # a second one: stop now, the run's faults still come off
            raise StopSearch(signum)
        self.received = signum


def explore_scenario(
    path: Path, options: ExploreOptions, console: Console | None = None
) -> ExploreResult:
    console = console or terminal_console()
    src, bounds = _bounds(path, options.run.topology)
    examples = Examples(src.data, path.parent, bounds)
    replay = _replay(examples, bounds, src)
    name = str(src.data["name"])
    folder = prepare_report_dir((options.out_dir or _default_folder(name)).resolve())
    command = _command(path, options)
    console.print(f"explore: {command}\n  {replay:g} s per example, into {folder}", markup=False)
    search = Search(
        options.budget,
        options.max_time,
        _database(options.run.state_dir, src),
        lambda text: console.print(text, markup=False, soft_wrap=True),
        options.seed,
    )
    with SearchSignals() as signals:
        try:
            smallest, ended, code = _search(
                search, bounds, examples, replay, folder, options, signals, console
            )
        except Abort as abort:  # the stack broke: keep what was run, then exit 3
            found = Found(command, name, search.tried, None, str(abort.error))
            write_found(found, examples, replay, folder)
            raise abort.error from None
    found = Found(command, name, search.tried, smallest, ended)
    reproducer = write_found(found, examples, replay, folder)
    _conclude(found, reproducer, console)
    return ExploreResult(found, folder, reproducer, code)


def _search(
    search: Search,
    bounds: Bounds,
    examples: Examples,
    replay: float,
    folder: Path,
    options: ExploreOptions,
    signals: SearchSignals,
    console: Console,
) -> tuple[Tried | None, str, int]:
    """On one stack: (the smallest failure, why the search ended, the exit code)."""
    run, topology = options.run, Path(examples.data["topology"])
    name = str(examples.data["name"])
    with claim_stack(run.backend, topology, run.state_dir, run.external_stack, name) as claim:
        placement = claim[0]
        run = RunOptions(backend=run.backend, state_dir=placement.state_dir, lead=run.lead)
        clean_up_earlier_faults(run, console)
        stack = placement.open(run.backend, topology)
        try:
            signals.searching = True
            runner = ExampleRunner(examples, replay, stack, run, signals, folder)
            smallest = search.run(runner, schedules(bounds))
            ended = search.exhausted or f"hypothesis ended its search within {_runs(search.budget)}"
            return smallest, ended, 1 if smallest else 0
        except StopSearch as stop:
            smallest = min(search.failures, key=lambda t: t.schedule.size, default=None)
            return smallest, f"stopped by signal {stop.signum}", 128 + stop.signum
        finally:
            signals.searching = False
            stack.close()


def _bounds(path: Path, topology: Path | None) -> tuple[Source, Bounds]:
    src = load_yaml(path)
    if topology is not None and isinstance(src.data, dict):
        src.data["topology"] = str(topology.resolve())
    scenario = build_scenario(src)  # every problem of the file, as `harness validate` shows
    explore = src.validate(ScenarioFile).explore
    if explore is None:
        raise InvalidInput(
            [Problem(str(path), None, "no explore: section to search (docs/explore.md)")]
        )
    return src, resolve_bounds(src, explore, scenario.clock.start, scenario.clock.span)


def _replay(examples: Examples, bounds: Bounds, src: Source) -> float:
    """The explore section's replay, or the shortest the floor allows; every target checked
    (a pattern that matches no link is refused before any stack starts)."""
    file = Path(src.file)  # problems name the scenario; the checks are not written
    quiet = examples.scenario(examples.data_for(Schedule(()), 1.0), file)
    replay = bounds.replay or floor.shortest(quiet)
    if replay is None:
        raise InvalidInput([src.problem(("explore",), "no replay of 10 days or less will do")])
    trials = [
        *(
            Trial(x, bounds.toxics[0][0], (), bounds.earliest, bounds.shortest)
            for x in bounds.links
        ),
        *(
            Trial(x, p, (), bounds.earliest, bounds.shortest)
            for x in bounds.services
            for p in bounds.processes[:1]
        ),
    ]
    for trial in trials:
        example = examples.scenario(examples.data_for(Schedule((trial,)), replay), file)
        floor.check(example, "give explore: more `focus` (a fault's window) or `replay`")
    return float(replay)


def _database(state_dir: Path, src: Source) -> Path:
    """One example database per scenario and bounds: changed bounds start afresh."""
    digest = hashlib.sha256(
        json.dumps(src.data.get("explore"), sort_keys=True, default=str).encode()
    )
    return state_dir / "explore" / f"{src.data['name']}-{digest.hexdigest()[:12]}"


def _default_folder(name: str) -> Path:
    return Path("reports") / f"explore-{name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"


def _command(path: Path, options: ExploreOptions) -> str:
    words = ["harness", "explore", str(path), "--budget", str(options.budget)]
    if options.run.topology is not None:
        words += ["--topology", str(options.run.topology)]
    if options.seed is not None:
        words += ["--seed", str(options.seed)]
    if options.max_time is not None:
        words += ["--max-time", f"{options.max_time:g}"]
    return shlex.join(words)


def _conclude(found: Found, reproducer: Path | None, console: Console) -> None:
    if found.smallest is None or reproducer is None:
        none = (
            "none found so far"
            if found.ended.startswith("stopped")
            else "none found within the budget"
        )
        console.print(
            f"{none}: {_examples(len(found.tried))} run, every one passed "
            f"({found.ended}). This is no proof that no schedule breaks it; a larger --budget "
            "searches further.",
            markup=False,
        )
        return
    first = found.first
    assert first is not None
    console.print(
        f"FOUND: {found.smallest.summary}\n"
        f"  smallest: example {found.smallest.number}, {size_text(found.smallest.schedule.size)}: "
        f"{found.smallest.schedule.describe()}\n"
        f"  first failure: example {first.number}, {size_text(first.schedule.size)}\n"
        f"  ({found.ended})\n"
        f"reproducer: {reproducer}  (harness run {reproducer})\n"
        f"explanation: {reproducer.with_name('explanation.txt')}",
        markup=False,
        soft_wrap=True,
    )


def _runs(n: int) -> str:
    return f"{n} run" if n == 1 else f"{n} runs"


def _examples(n: int) -> str:
    return f"{n} example" if n == 1 else f"{n} examples"
