"""A traffic rate as a scenario writes it: `20/s`, `120/m` or a number per (wall) second."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator


def parse_rate(value: object) -> float:
    """`20/s`, `120/m` or a bare number of arrivals per (wall) second."""
    if isinstance(value, bool):
        raise ValueError(f"bad rate {value!r}")
    if isinstance(value, int | float):
        rate = float(value)
    elif isinstance(value, str) and (
        m := re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h)\s*", value)
    ):
        rate = float(m[1]) / {"s": 1, "m": 60, "h": 3600}[m[2]]
    else:
        raise ValueError(f"bad rate {value!r}: write it like 20/s")
    if not 0 <= rate <= 10_000:
        raise ValueError(f"rate {value!r} out of range (0 to 10000/s)")
    return rate


Rate = Annotated[float, BeforeValidator(parse_rate)]
