"""The one syntax of a point in scenario time: ISO 8601, or an offset from the clock's start."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator

from harness.model.duration import parse_duration


def parse_time_point(value: object) -> datetime | float:
    """An absolute scenario time (ISO 8601) or an offset from the clock's start (`+90m`)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("+"):
            return parse_duration(text[1:])
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            raise ValueError(f"bad time {value!r}: use 2020-09-17T11:30 or +90m") from None
    raise ValueError(f"bad time {value!r}: use 2020-09-17T11:30 or +90m")


TimePoint = Annotated[datetime | float, BeforeValidator(parse_time_point)]
