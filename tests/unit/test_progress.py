"""Live progress: a panel on a terminal, one unfolded line per tenth of the run in logs."""

from __future__ import annotations

import io
from datetime import datetime

from rich.console import Console

from harness.progress import Progress, Snapshot

WEDNESDAY = datetime(2020, 9, 16, 9, 0)


def snapshot(
    done: float,
    faults: dict[str, list[str]] | None = None,
    traffic: dict[str, tuple[int, int]] | None = None,
) -> Snapshot:
    return Snapshot("september-2020", WEDNESDAY, done, faults=faults or {}, traffic=traffic or {})


def console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=60, force_terminal=terminal, color_system=None), out


def test_in_a_log_each_tenth_of_the_run_is_one_line_however_long() -> None:
    con, out = console(terminal=False)
    faults = {"down": [f"callers->police-contact-centre-{i}" for i in range(5)]}
    with Progress(con) as progress:
        for done in (0.0, 0.05, 0.1, 0.15):
            progress.update(snapshot(done, faults=faults, traffic={"callers-112": (9, 1)}))
    lines = out.getvalue().splitlines()
    assert len(lines) == 2  # 0 % and 10 %; the updates in between add nothing
    assert lines[1].startswith("[ 10%] Wed 16 Sep 09:00  faults: down(5)")
    assert lines[1].endswith("ok/all: callers-112=9/10")  # not folded at 60 columns


def test_a_log_line_says_so_when_there_is_no_traffic_or_fault_yet() -> None:
    con, out = console(terminal=False)
    with Progress(con) as progress:
        progress.update(snapshot(0.0))
    assert out.getvalue().strip().endswith("faults: none  ok/all: -")


def test_on_a_terminal_the_panel_shows_the_clock_active_faults_and_traffic() -> None:
    con, out = console(terminal=True)
    with Progress(con, live=True) as progress:
        faults = {"down": ["callers->police-contact-centre"]}
        progress.update(snapshot(0.4, faults=faults, traffic={"callers-112": (99, 1)}))
    text = out.getvalue()
    for expected in (
        "Wed 16 Sep 2020 09:00",
        "faults active now",
        "callers->police-contact-centre",
        "traffic (ok / all)",
        "99/100",
        "99.0%",
    ):
        assert expected in text
