"""One row per target: what was measured, the target, and their ratio (>= 1 meets it)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table


@dataclass(frozen=True)
class Row:
    target: str  # P1..P6
    what: str
    measured: str
    wanted: str
    ratio: float | None  # measured vs target, oriented so that >= 1.0 meets the target
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.ratio is None:
            return "n/a"
        return "meets" if self.ratio >= 1.0 else "MISSES"


def better_is_higher(measured: float, target: float) -> float:
    return measured / target


def better_is_lower(measured: float, target: float) -> float:
    return target / measured if measured > 0 else float("inf")


def print_rows(rows: list[Row], console: Console | None = None) -> None:
    table = Table(title="dispatch-chaos benchmark (performance targets)", show_lines=False)
    for column in ("", "what", "measured", "target", "ratio", "", "note"):
        table.add_column(column)
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}×"
        style = "green" if r.verdict == "meets" else ("red" if r.verdict == "MISSES" else "dim")
        table.add_row(
            r.target, r.what, r.measured, r.wanted, ratio, f"[{style}]{r.verdict}[/]", r.note
        )
    (console or Console(width=160)).print(table)
