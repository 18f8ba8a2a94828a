"""The click options more than one command shares (`run` and `explore`), and the scale-out
options of `run` with the checks that keep them consistent (docs/scale.md)."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from harness.errors import InvalidInput

F = TypeVar("F", bound=Callable[..., Any])


def seconds(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
    """A replay length: finite and above zero (click's FloatRange lets nan and inf through)."""
    if value is not None and not 0 < value < math.inf:
        raise click.BadParameter(f"must be a number of seconds above 0, got {value:g}")
    return value


def backend_options(fn: F) -> F:
    """--backend and --stack: where the world runs, the same for `run` and `explore`."""
    fn = click.option(
        "--stack",
        "stack_file",
        type=click.Path(path_type=Path),
        default=None,
        help="external backend: the stack file (YAML; docs/backends.md)",
    )(fn)
    return click.option(
        "--backend",
        type=click.Choice(["local", "compose", "external"]),
        default="local",
        show_default=True,
        help="where the mock world runs",
    )(fn)


def topology_option(doing: str) -> Callable[[F], F]:
    return click.option(
        "--topology",
        type=click.Path(path_type=Path, exists=True, dir_okay=False),
        default=None,
        help=f"{doing} against this topology instead of the scenario's own (your landscape)",
    )


def scale_options(fn: F) -> F:
    """--processes (local forks) or --workers (waited for, docs/scale.md) and their bind/wait."""
    fn = click.option(
        "--workers-wait",
        type=float,
        default=None,
        callback=seconds,
        help="with --workers: seconds they have to join  [default: 30]",
    )(fn)
    fn = click.option(
        "--master-bind",
        default=None,
        metavar="HOST:PORT",
        help="with --workers: where the master listens (default 127.0.0.1, a free port)",
    )(fn)
    fn = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Locust workers to wait for (`harness worker`; compose: containers); docs/scale.md",
    )(fn)
    return click.option(
        "--processes",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Locust processes generating load",
    )(fn)


def workers_fields(
    backend: str,
    processes: int,
    workers: int | None,
    master_bind: str | None,
    workers_wait: float | None,
) -> dict[str, Any]:
    """RunOptions' fields for --workers; InvalidInput (exit 2) for options that contradict."""
    if workers is None:
        if master_bind is not None or workers_wait is not None:
            raise InvalidInput("--master-bind and --workers-wait go with --workers")
        return {}
    if processes > 1:
        raise InvalidInput(
            "--processes forks local workers, --workers waits for workers: choose one"
        )
    if master_bind is not None and backend == "compose":
        raise InvalidInput(
            "with --backend compose the master binds the stack network's gateway: "
            "leave out --master-bind"
        )
    from harness.load.worker import master_address

    options: dict[str, Any] = {"workers": workers}
    if master_bind is not None:
        options["master_bind"] = master_address(master_bind, "--master-bind")
    if workers_wait is not None:
        options["workers_wait"] = workers_wait
    return options
