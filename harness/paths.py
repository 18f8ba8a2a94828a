"""Where the harness keeps state between commands: `.harness/` in the working directory.

`DC_STATE_DIR` moves it (tests give every stack its own). It holds stack.json (the running
stack), applied.json (faults this harness applied, for `harness cleanup`) and the local
backend's sockets, configs and data.
"""

from __future__ import annotations

import os
from pathlib import Path


def state_dir() -> Path:
    return Path(os.environ.get("DC_STATE_DIR", ".harness")).resolve()


def stack_file(base: Path | None = None) -> Path:
    return (base or state_dir()) / "stack.json"


def applied_file(base: Path | None = None) -> Path:
    return (base or state_dir()) / "applied.json"


def project_root() -> Path:
    return Path(__file__).resolve().parents[1]


def scenarios_dir() -> Path:
    return project_root() / "scenarios"
