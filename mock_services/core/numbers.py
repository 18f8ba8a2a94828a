"""The numbers the mock world knows, and the class each belongs to (fault scopes, routing)."""

from __future__ import annotations

NUMBERS = {"112": "112", "09008844": "0900", "088": "088"}
# A meldkamer's own published number (`meldkamer-<region>`): the alternative the public was
# given when the carrier's 112 platform failed on 24 June 2019. It bypasses 112 routing.
ALTERNATE = "meldkamer-"


def _clean(dialled: str) -> str:
    return (
        dialled.replace(" ", "")
        if dialled.startswith(ALTERNATE)
        else dialled.replace("-", "").replace(" ", "")
    )


def number_class(dialled: str) -> str | None:
    """`112`, `0900` (0900-8844), `088` or `alternate`; None for a number nobody answers."""
    cleaned = _clean(dialled)
    if cleaned.startswith(ALTERNATE) and len(cleaned) > len(ALTERNATE):
        return "alternate"
    return NUMBERS.get(cleaned)


def alternate_region(dialled: str) -> str | None:
    """The region whose meldkamer an alternate number reaches."""
    cleaned = _clean(dialled)
    return cleaned[len(ALTERNATE) :] if number_class(cleaned) == "alternate" else None
