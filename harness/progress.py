"""Live progress of a run on a terminal: scenario clock, faults active now, running checks.

On a terminal a rich Live panel redraws a few times a second; elsewhere (CI logs) one plain line
is printed per tenth of the run, so logs stay short but show the run is alive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from rich.console import Console, Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text


@dataclass
class Snapshot:
    """What the run looks like right now."""

    scenario: str
    clock: datetime  # scenario time now
    done: float  # 0..1 of the replay
    faults: dict[str, list[str]] = field(default_factory=dict)  # fault -> targets active
    checks: list[tuple[str, str, bool | None]] = field(default_factory=list)  # name, observed, ok
    traffic: dict[str, tuple[int, int]] = field(default_factory=dict)  # class -> (ok, failed)


def terminal_console(stderr: bool = True) -> Console:
    """A console for people: the terminal's width, or 120 columns in logs (rich's 80 would
    fold the assertion table beyond reading)."""
    probe = Console(stderr=stderr)
    return Console(
        stderr=stderr, highlight=False, width=None if probe.is_terminal else max(probe.width, 120)
    )


class Progress:
    def __init__(self, console: Console | None = None, live: bool | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.live_mode = self.console.is_terminal if live is None else live
        self._live: Live | None = None
        self._last_tenth = -1

    def __enter__(self) -> Progress:
        if self.live_mode:
            self._live = Live(console=self.console, refresh_per_second=4, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def update(self, snap: Snapshot) -> None:
        if self._live is not None:
            self._live.update(self._render(snap))
            return
        tenth = int(snap.done * 10)
        if tenth != self._last_tenth:
            self._last_tenth = tenth
            active = ", ".join(f"{f}({len(t)})" for f, t in snap.faults.items()) or "none"
            calls = " ".join(f"{k}={ok}/{ok + bad}" for k, (ok, bad) in snap.traffic.items())
            self.message(
                f"[{snap.done:4.0%}] {snap.clock:%a %d %b %H:%M}  faults: {active}"
                f"  ok/all: {calls or '-'}"
            )

    def message(self, text: str) -> None:
        # One log line per message, never folded at the console's width: logs get grepped.
        self.console.print(text, markup=False, soft_wrap=True)

    def _render(self, snap: Snapshot) -> Group:
        head = Text.assemble(
            (f"{snap.scenario}  ", "bold"),
            (f"{snap.clock:%a %d %b %Y %H:%M}", "cyan"),
            f"  {snap.done:4.0%}",
        )
        bar = ProgressBar(total=1.0, completed=snap.done, width=60)
        faults = _panel_table("faults active now")
        if not snap.faults:
            faults.add_row(Text("none", style="dim"))
        for fault, targets in sorted(snap.faults.items()):
            shown = ", ".join(targets[:4]) + (f" +{len(targets) - 4}" if len(targets) > 4 else "")
            faults.add_row(Text(fault, style="red"), shown)
        traffic = _panel_table("traffic (ok / all)")
        for name, (ok, bad) in sorted(snap.traffic.items()):
            ratio = ok / (ok + bad) if ok + bad else 1.0
            traffic.add_row(
                name,
                f"{ok}/{ok + bad}",
                Text(
                    f"{ratio:6.1%}",
                    style="green" if ratio >= 0.99 else "yellow" if ratio >= 0.9 else "red",
                ),
            )
        checks = Table(
            title="assertions so far",
            title_justify="left",
            min_width=50,
            show_header=False,
            box=None,
            padding=(0, 1),
        )
        for name, observed, passed in snap.checks:
            mark = (
                Text("…", style="dim")
                if passed is None
                else (Text("✓", style="green") if passed else Text("✗", style="red"))
            )
            checks.add_row(mark, name, observed)
        return Group(head, bar, faults, traffic, checks)


def traffic_counts(counter: Counter[tuple[str, bool]]) -> dict[str, tuple[int, int]]:
    names = sorted({name for name, _ in counter})
    return {n: (counter[(n, True)], counter[(n, False)]) for n in names}


def _panel_table(title: str) -> Table:
    """A headless, borderless table under a title: one section of the live panel."""
    return Table(
        title=title, title_justify="left", min_width=50, show_header=False, box=None, padding=(0, 1)
    )
