"""`harness run --workers N`: options that contradict it are refused with exit 2 before any
stack starts; a run with workers on a non-compose stack tells the user how to join."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from harness.cli import main
from harness.paths import project_root

BASELINE = project_root() / "scenarios" / "baseline.yaml"


def refused(tmp_path: Path, *args: str) -> str:
    state, reports = tmp_path / "state", tmp_path / "report"
    result = CliRunner().invoke(
        main,
        ["run", str(BASELINE), "--report-dir", str(reports), *args],
        env={"DC_STATE_DIR": str(state)},
    )
    assert result.exit_code == 2, result.output
    assert not state.exists() and not reports.exists()
    return result.stderr


def test_workers_and_more_processes_are_refused(tmp_path: Path) -> None:
    stderr = refused(tmp_path, "--workers", "2", "--processes", "2")
    assert "--processes forks local workers, --workers waits for workers: choose one" in stderr


@pytest.mark.parametrize("option", [("--master-bind", "127.0.0.1:5557"), ("--workers-wait", "5")])
def test_the_workers_options_without_workers_are_refused(
    tmp_path: Path, option: tuple[str, str]
) -> None:
    assert "go with --workers" in refused(tmp_path, *option)


def test_a_master_bind_on_compose_is_refused(tmp_path: Path) -> None:
    stderr = refused(
        tmp_path, "--backend", "compose", "--workers", "2", "--master-bind", "10.0.0.1:5557"
    )
    assert "binds the stack network's gateway" in stderr


@pytest.mark.parametrize("bind", ["5557", "host:", "host:port", "host:70000"])
def test_a_master_bind_that_is_no_host_and_port_is_refused(tmp_path: Path, bind: str) -> None:
    stderr = refused(tmp_path, "--workers", "1", "--master-bind", bind)
    assert f"--master-bind takes HOST:PORT, not {bind!r}" in stderr


def test_zero_workers_are_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["run", str(BASELINE), "--workers", "0"])
    assert result.exit_code == 2 and "--workers" in result.stderr
