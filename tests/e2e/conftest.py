"""End-to-end helpers: the `harness` command as a user runs it, and a stack it brought up."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.model.stack import StackInfo
from harness.run import RunResult
from harness.toxiproxy.client import ToxiproxyClient

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
DATA = ROOT / "tests" / "data" / "scenarios"


@dataclass
class Harness:
    """Runs `python -m harness` with its own state folder, from the repository root."""

    state_dir: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, "DC_STATE_DIR": str(self.state_dir), "COLUMNS": "160"}

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "harness", *args]

    def __call__(
        self, *args: str, timeout: float = 300, cwd: Path = ROOT
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(*args),
            cwd=cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args),
            cwd=ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    @property
    def stack(self) -> StackInfo:
        return StackInfo.load(self.state_dir / "stack.json")


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return Harness(tmp_path / "state")


@pytest.fixture(scope="module")
def stack_harness(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    """A harness whose local stack was started with `harness up` (and is taken down after)."""
    h = Harness(tmp_path_factory.mktemp("stack") / "state")
    up = h("up", timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        yield h
    finally:
        down = h("down", timeout=60)
        assert down.returncode == 0, down.stdout + down.stderr


RunOnStacks = Callable[..., RunResult]


@pytest.fixture(scope="module")
def run_on_stacks(
    dispatch_stack: StackInfo, dispatch_state_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunOnStacks]:
    """Runs scenario files like the plugin's run_scenario, but keeps one local stack per
    topology for the module: runs on the coupled or the KPN topology then share a stack
    instead of each bringing its own up and down (about 20 s a run on 2 cores)."""
    from harness.model.scenario import load_scenario
    from harness.run import RunOptions, run_scenario
    from harness.stacks import Stack, stack_for_run

    root = tmp_path_factory.mktemp("stacks")
    default = Path(dispatch_stack.topology).resolve() if dispatch_stack.topology else None
    states: dict[Path | None, Path] = {default: dispatch_state_dir}
    owned: list[Stack] = []

    def run(path: Path, duration: float | None = None, report_dir: Path | None = None) -> RunResult:
        topology = Path(load_scenario(path).topology.file).resolve()
        if topology not in states:
            states[topology] = root / f"state-{len(states)}"
            owned.append(stack_for_run("local", topology, states[topology]))
        report = report_dir or root / f"report-{len(list(root.glob('report-*')))}"
        options = RunOptions(
            duration=duration, state_dir=states[topology], report_dir=report, live=False
        )
        return run_scenario(path, options)

    try:
        yield run
    finally:
        for stack in owned:
            stack.close()


def toxiproxy_of(h: Harness) -> ToxiproxyClient:
    return ToxiproxyClient(h.stack.toxiproxy)


def fault_free(client: ToxiproxyClient) -> bool:
    """No dc.* toxic anywhere and every proxy enabled."""
    return all(
        p.enabled and not any(t.name.startswith("dc.") for t in p.toxics)
        for p in client.proxies().values()
    )


def summary(report_dir: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((report_dir / "summary.json").read_text())
    return data
