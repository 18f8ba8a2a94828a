"""pytest plugin (entry point `pytest11`): gate CI on scenarios.

    @pytest.mark.scenario("scenarios/september-2020.yaml", duration=30)
    def test_112_survives_september(scenario_result):
        assert scenario_result.verdict == "passed"

Fixtures: `dispatch_stack` (a local stack for the session, or the one `harness up` started),
`dispatch_toxiproxy` (a client for its Toxiproxy), `run_scenario` (run any scenario file
against it and get the result), `scenario_result` (the run named by the test's marker; the
test fails with the assertion table when the scenario's verdict is not `passed`, unless the
marker says `expect="failed"`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from harness.model.stack import StackInfo
    from harness.run import RunResult
    from harness.toxiproxy.client import ToxiproxyClient


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "scenario(path, duration=None, seed=None, expect='passed'): run a dispatch-chaos scenario "
        "and fail unless its verdict is `expect`",
    )


@pytest.fixture(scope="session")
def dispatch_state_dir() -> Iterator[Path]:
    """Where the session's stack keeps its state: DC_STATE_DIR, or a private temp folder."""
    if "DC_STATE_DIR" in os.environ:
        yield Path(os.environ["DC_STATE_DIR"])
        return
    with tempfile.TemporaryDirectory(prefix="dispatch-chaos-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="session")
def dispatch_topology() -> Path:
    """Override to test your own topology."""
    from harness.paths import scenarios_dir

    return scenarios_dir() / "topologies" / "meldkamer-nl.yaml"


@pytest.fixture(scope="session")
def dispatch_stack(dispatch_state_dir: Path, dispatch_topology: Path) -> Iterator[StackInfo]:
    from harness.stacks import stack_for_run

    stack = stack_for_run("local", dispatch_topology, dispatch_state_dir)
    try:
        yield stack.info
    finally:
        stack.close()


@pytest.fixture
def dispatch_toxiproxy(dispatch_stack: StackInfo) -> Iterator[ToxiproxyClient]:
    from harness.toxiproxy.client import ToxiproxyClient

    client = ToxiproxyClient(dispatch_stack.toxiproxy)
    yield client
    client.close()


@pytest.fixture
def run_scenario(
    dispatch_stack: StackInfo, dispatch_state_dir: Path, tmp_path: Path
) -> Callable[..., RunResult]:
    from harness.run import RunOptions
    from harness.run import run_scenario as run

    def _run(
        path: str | Path,
        duration: float | None = None,
        seed: int | None = None,
        report_dir: Path | None = None,
        topology: Path | None = None,
    ) -> RunResult:
        options = RunOptions(
            duration=duration,
            seed=seed,
            topology=topology,
            state_dir=dispatch_state_dir,
            report_dir=report_dir or tmp_path / "report",
            live=False,
        )
        return run(Path(path), options)

    return _run


@pytest.fixture
def scenario_result(
    request: pytest.FixtureRequest, run_scenario: Callable[..., RunResult]
) -> RunResult:
    marker = request.node.get_closest_marker("scenario")
    if marker is None:
        raise pytest.UsageError("scenario_result needs @pytest.mark.scenario(path, ...)")
    options: dict[str, Any] = dict(marker.kwargs)
    expect = options.pop("expect", "passed")
    path = Path(marker.args[0])
    if not path.is_absolute():
        path = request.config.rootpath / path
    result = run_scenario(path, **options)
    if result.verdict != expect:
        pytest.fail(
            f"scenario {marker.args[0]}: verdict {result.verdict}, expected {expect}\n"
            + result.table,
            pytrace=False,
        )
    return result
