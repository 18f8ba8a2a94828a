"""Finding the stack that is up right now (`.harness/stack.json`), whichever backend made it."""

from __future__ import annotations

import json
from pathlib import Path

from harness.backends.local.backend import local_stack_alive
from harness.backends.stack import StackInfo
from harness.errors import InvalidInput
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


def load_external(path: Path) -> StackInfo:
    """The external backend: a stack the user runs, described in StackInfo's JSON shape."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        raw.setdefault("backend", "external")
        return StackInfo.from_dict(raw)
    except FileNotFoundError:
        raise InvalidInput(f"{path}: no such stack description") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise InvalidInput(f"{path}: not a stack description ({exc})") from None
