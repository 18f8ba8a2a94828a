"""bench/results.md: every row with met/missed, the machine it ran on, and the details
(stepping, growth tables and plots) each target adds, so the README can quote one file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.table import Row

RESULTS = Path(__file__).with_name("results.md")


@dataclass(frozen=True)
class Section:
    """Details behind a row: a heading and markdown text (a table, a plot in a code block)."""

    title: str
    text: str


def verdict(row: Row) -> str:
    if row.ratio is None:
        return "not measured"
    return "met" if row.ratio >= 1.0 else "missed"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(
    rows: list[Row],
    sections: list[Section],
    when: datetime,
    cores: int | None,
    load: tuple[float, float, float] | None,
    command: str,
) -> str:
    lines = [
        "# dispatch-chaos benchmark results",
        "",
        f"Measured {when:%Y-%m-%d %H:%M} UTC on {cores or '?'} cores by `{command}`.",
    ]
    if load is not None:
        lines.append(
            f"Load average when it began: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} — the "
            "machine is shared with other work, so the numbers are what a shared "
            f"{cores or '?'}-core machine gave, not a quiet one."
        )
    lines += [
        "",
        "| target | what | measured | wanted | ratio | verdict | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}x"
        cells = (r.target, r.what, r.measured, r.wanted, ratio, verdict(r), r.note)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    for s in sections:
        lines += ["", f"## {s.title}", "", s.text.rstrip()]
    return "\n".join(lines) + "\n"


def load_now() -> tuple[float, float, float] | None:
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def write(
    rows: list[Row],
    sections: list[Section],
    command: str,
    load: tuple[float, float, float] | None,
    path: Path = RESULTS,
) -> Path:
    """`load`: the load average when the run began (how shared the machine was)."""
    text = render(rows, sections, datetime.now(UTC), os.cpu_count(), load, command)
    path.write_text(text, encoding="utf-8")
    return path
