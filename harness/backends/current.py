"""Finding the stack that is up right now (`.harness/stack.json`), whichever backend made it."""

from __future__ import annotations

from pathlib import Path

from harness.backends.local.backend import local_stack_alive
from harness.model.stack import StackInfo
from harness.paths import stack_file
from harness.toxiproxy.client import ToxiproxyClient


def current_stack(state_dir: Path) -> StackInfo | None:
    """The running stack, or None; a stale stack.json (its owner gone) is removed."""
    path = stack_file(state_dir)
    if not path.exists():
        return None
    try:
        info = StackInfo.load(path)
    except (OSError, ValueError, TypeError, KeyError):
        path.unlink(missing_ok=True)
        return None
    if _alive(info):
        return info
    if info.backend == "local":
        path.unlink(missing_ok=True)
    return None


def _alive(info: StackInfo) -> bool:
    if info.backend == "local":
        return local_stack_alive(info)
    client = ToxiproxyClient(info.toxiproxy, timeout=1.0, retries=0)
    try:
        return client.reachable()
    finally:
        client.close()
