from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.model.duration import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("90s", 90),
        ("20m", 1200),
        ("3h", 10800),
        ("2d", 172800),
        ("1h30m", 5400),
        ("1.5s", 1.5),
        (2, 2.0),
        (0.25, 0.25),
    ],
)
def test_durations_read_as_people_write_them(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["", "10", "ten seconds", "5x", "-3s", True, None, [1], "1h-5m"])
def test_anything_else_is_a_clear_error(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


@given(st.integers(min_value=0, max_value=10**7))
def test_formatting_round_trips(ms: int) -> None:
    seconds = ms / 1000
    assert parse_duration(format_duration(seconds)) == pytest.approx(seconds)
