"""The report shows how the clock compressed scenario time, stretch by stretch."""

from __future__ import annotations

from datetime import datetime

from harness.journal import RunStart
from harness.report.compression import per_second, stretches

START = datetime(2020, 9, 15)
H = 3600.0


def run_start(marks: list[list[float]]) -> RunStart:
    return RunStart(1000.0, 0.0, "september-2020", 1, START.isoformat(), 66 * H, 30.0, marks=marks)


def test_a_focus_window_shows_as_a_slow_stretch_between_two_fast_ones() -> None:
    rows = stretches(run_start([[0, 0], [33 * H, 11.0], [33.5 * H, 13.5], [66 * H, 30.0]]), START)
    assert [round(r.wall, 2) for r in rows] == [11.0, 2.5, 16.5]
    assert rows[1].text() == "Wed 16 Sep 09:00 → Wed 16 Sep 09:30: 2.50 s, 1 s = 12 min"
    assert rows[1].to_json() == {
        "from": "2020-09-16T09:00:00", "until": "2020-09-16T09:30:00", "wall": 2.5, "rate": 720.0,
    }  # fmt: skip


def test_a_journal_without_marks_shows_one_stretch_at_one_rate() -> None:
    (row,) = stretches(run_start([]), START)
    assert (row.wall, row.rate) == (30.0, 66 * H / 30)
    assert row.text().endswith("1 s = 2.2 h")


def test_rates_read_in_the_unit_a_reader_thinks_in() -> None:
    assert [per_second(x) for x in (0.5, 90.0, 7920.0)] == ["0.5 s", "1.5 min", "2.2 h"]
