"""Backends by name: `backend("local", site)`. Adding a backend is one entry here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from harness.backends.external import ExternalBackend
from harness.backends.local.backend import LocalBackend
from harness.backends.protocol import Backend, Site
from harness.errors import InvalidInput
from harness.model.stack import StackInfo


def _compose(site: Site) -> Backend:
    from harness.backends.compose import ComposeBackend  # Docker's client: only when asked for

    return ComposeBackend.at(site)


BACKENDS: dict[str, Callable[[Site], Backend]] = {
    "local": LocalBackend.at,
    "compose": _compose,
    "external": ExternalBackend.at,
}


def backend(name: str, site: Site) -> Backend:
    if name not in BACKENDS:
        raise InvalidInput(f"no backend named {name} (known: {', '.join(BACKENDS)})")
    return BACKENDS[name](site)


def backend_of(info: StackInfo, state_dir: Path) -> Backend:
    """The backend that runs the stack `info` describes; one we do not know is external to us."""
    site = Site(Path(info.topology), state_dir, project=info.project)
    return BACKENDS.get(info.backend, ExternalBackend.at)(site)
