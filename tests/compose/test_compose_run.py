"""A whole scenario on the compose backend: `harness run --backend compose` brings the
containers up, kills and restarts the GMS container on schedule, and takes everything down."""

from __future__ import annotations

import io
from pathlib import Path

import docker
import pytest
from rich.console import Console

from harness.backends.build_images import build_images
from harness.backends.compose import DEFAULT_PROJECT
from harness.journal import Transition, read_events
from tests.e2e.conftest import SCENARIOS, Harness, summary
from tests.prerequisites import need_docker

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def test_gms_down_runs_on_containers_and_leaves_none(tmp_path: Path) -> None:
    need_docker()
    harness = Harness(tmp_path / "state")
    build_images(console=Console(file=io.StringIO()))
    report = tmp_path / "report"
    run = harness(
        "run",
        str(SCENARIOS / "gms-down.yaml"),
        "--backend",
        "compose",
        "--duration",
        "12",
        "--report-dir",
        str(report),
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert summary(report)["verdict"] == "passed"
    kills = [
        e
        for e in read_events(report / "journal.jsonl")
        if isinstance(e, Transition) and e.fault == "gms-killed" and e.ok
    ]
    assert [k.on for k in kills] == [True, False]  # killed, then started again
    assert "kill gms" in kills[0].effect
    client = docker.from_env()
    try:
        project = f"com.docker.compose.project={DEFAULT_PROJECT}"
        mine = [c.name for c in client.containers.list(all=True, filters={"label": project})]
    finally:
        client.close()
    assert mine == []
