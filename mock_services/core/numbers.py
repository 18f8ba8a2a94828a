"""The numbers the mock world knows, and the class each belongs to (fault scopes, routing)."""

from __future__ import annotations

NUMBERS = {"112": "112", "09008844": "0900", "088": "088"}


def number_class(dialled: str) -> str | None:
    """`112`, `0900` (0900-8844) or `088`; None for a number nobody here answers."""
    return NUMBERS.get(dialled.replace("-", "").replace(" ", ""))
