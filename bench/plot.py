"""A small text plot for results.md: one bar per measurement, scaled to the largest, next to
a bar for the topology's size, so a cost growing faster than the size shows at a glance."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH = 40


def bars(title: str, labels: Sequence[str], values: Sequence[float | None], unit: str) -> str:
    """Lines `label |#####      | value unit`; a missing value shows as `(not measured)`."""
    known = [v for v in values if v is not None]
    top = max(known) if known else 0.0
    lines = [title]
    pad = max((len(label) for label in labels), default=0)
    for label, value in zip(labels, values, strict=True):
        if value is None:
            lines.append(f"{label:>{pad}} |{' ' * WIDTH}| (not measured)")
            continue
        filled = round(WIDTH * value / top) if top > 0 else 0
        lines.append(f"{label:>{pad}} |{'#' * filled}{' ' * (WIDTH - filled)}| {value:.4g} {unit}")
    return "\n".join(lines)
