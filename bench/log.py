"""Progress lines on stderr, one per step, so a long bench run shows where it is."""

from __future__ import annotations

from rich.console import Console

console = Console(stderr=True, highlight=False)


def say(text: str) -> None:
    console.print(f"[dim]bench:[/] {text}", soft_wrap=True)  # one line each in logs
