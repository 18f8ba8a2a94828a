"""bench/results.md: the machine, the date, every row with met/missed, the details."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from bench.results import Section, render, write
from bench.table import Row

ROWS = [
    Row("P3", "lag p99 (ms)", "7.9", "<= 20 ms", 2.5),
    Row("P5", "capacity | calls/s", "200", ">= 1000", 0.2, "broke at 330"),
    Row("P4", "compose", "not measured", "<= 30 s", None),
]


def test_results_name_the_machine_the_date_and_each_verdict() -> None:
    text = render(
        ROWS,
        [Section("P5 stepping", "- -r 100: held")],
        datetime(2026, 12, 3, 8, 50, tzinfo=UTC),
        2,
        (1.5, 0.5, 0.1),
        "python -m bench",
    )
    assert "2026-12-03 08:50 UTC on 2 cores by `python -m bench`" in text
    assert "shared" in text and "1.50" in text
    lines = text.splitlines()
    assert "| P3 | lag p99 (ms) | 7.9 | <= 20 ms | 2.50x | met |  |" in lines
    assert "| P5 | capacity \\| calls/s | 200 | >= 1000 | 0.20x | missed | broke at 330 |" in lines
    assert "| P4 | compose | not measured | <= 30 s | — | not measured |  |" in lines
    assert "## P5 stepping" in lines and "- -r 100: held" in lines


def test_write_puts_the_core_count_in_the_file(tmp_path: Path) -> None:
    path = write(ROWS, [], "python -m bench P5", None, tmp_path / "results.md")
    assert f"on {os.cpu_count()} cores" in path.read_text(encoding="utf-8")
