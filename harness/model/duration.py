"""Durations as people write them in scenarios: `500ms`, `90s`, `20m`, `3h`, `2d`, `1h30m`."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+")


def parse_duration(value: object) -> float:
    """Seconds from a duration string; bare numbers are seconds. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration like 90s or 20m, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        if not _WHOLE.fullmatch(text):
            raise ValueError(f"bad duration {value!r}: use a number with ms, s, m, h or d")
        seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(text))
    else:
        raise ValueError(f"expected a duration like 90s or 20m, got {value!r}")
    if seconds < 0 or seconds != seconds or seconds == float("inf"):
        raise ValueError(f"bad duration {value!r}: must be a finite, non-negative time")
    return seconds


def format_duration(seconds: float) -> str:
    """The shortest readable form, used in messages and the report."""
    if seconds < 1:
        return f"{seconds * 1000:.3f}".rstrip("0").rstrip(".") + "ms"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds / size:g}{unit}"
    return f"{seconds:.3f}".rstrip("0").rstrip(".") + "s"


Duration = Annotated[
    float, BeforeValidator(parse_duration), PlainSerializer(format_duration, return_type=str)
]
"""A pydantic field type: accepts `20m` or a number of seconds, holds float seconds."""
