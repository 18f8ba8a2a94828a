"""The scenario's clock from its file: the span, the replay and the focus windows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from harness.clock import Clock, Focus
from harness.errors import InvalidInput, Problem
from harness.model.scenario_file import ClockFile, ScenarioFile
from harness.model.source import Source

Path_ = tuple[str | int, ...]
Offset = Callable[[datetime | float, Path_], float]  # a time point -> scenario seconds


def problem(src: Source, path: Path_, message: str) -> Problem:
    """Like the schema's messages: the data path, then what is wrong there."""
    where = ".".join(str(p) for p in path) or "document"
    return src.problem(path, f"{where}: {message}")


def base_clock(src: Source, spec: ScenarioFile) -> Clock:
    """The clock without focus: other checks need its span first."""
    start, end = spec.clock.start, spec.clock.end
    problems: list[Problem] = []
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        problems.append(problem(src, ("clock",), "start and end must be absolute times"))
        start = end = datetime(2000, 1, 1)
    elif end <= start:
        problems.append(problem(src, ("clock", "end"), "the clock ends before it starts"))
    if spec.clock.replay <= 0:
        problems.append(problem(src, ("clock", "replay"), "must be longer than 0s"))
    if problems:
        raise InvalidInput(problems)
    return Clock(start, end, spec.clock.replay)


def focused(
    clock: Clock, spec: ClockFile, floor: tuple[Focus, ...], offset: Offset, src: Source
) -> Clock:
    """The clock with its focus windows: the floor's (`auto`) or the file's own. Problems
    with a window's times are reported through `offset` (the resolver's)."""
    if spec.focus == "auto":
        return replace(clock, focus=floor)
    windows = []
    for i, f in enumerate(spec.focus or []):
        path = ("clock", "focus", i)
        start, end = offset(f.start, (*path, "from")), offset(f.until, (*path, "until"))
        if end <= start:
            raise InvalidInput([problem(src, path, "the focus window ends before it starts")])
        windows.append(Focus(start, end, f.replay, f"focus window {i + 1}", src.line(path)))
    return replace(clock, focus=tuple(windows))
