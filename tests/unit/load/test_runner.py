"""The runner starts a bounded, headless Locust; the harness itself never imports Locust."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.load.config import LoadOptions
from harness.load.runner import LOCUSTFILE, READY_WAIT, LoadRunner
from tests.unit.load import world


def runner(tmp_path: Path, processes: int = 1, **load: float) -> LoadRunner:
    return LoadRunner(
        world.scenario(load or {"callers-112": 10.0}),
        world.stack(),
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=1000.0,
        duration=30.0,
        processes=processes,
        options=LoadOptions(timeout=2.0, hold=1.0),
    )


def option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_locust_runs_headless_on_our_locustfile_with_csv_in_the_report_dir(
    tmp_path: Path,
) -> None:
    argv = runner(tmp_path).argv(now=1000.0)
    assert argv[:3] == [sys.executable, "-m", "locust"]
    assert option(argv, "-f") == str(LOCUSTFILE)
    assert "--headless" in argv
    assert option(argv, "--csv") == str(tmp_path / "report" / "locust")
    assert option(argv, "--exit-code-on-error") == "0"
    assert "--processes" not in argv


def test_the_user_count_is_the_sum_of_the_groups(tmp_path: Path) -> None:
    load = runner(tmp_path, **{"callers-112": 10.0, "office-users": 4.0})
    argv = load.argv(now=1000.0)
    assert option(argv, "--users") == str(load.config.users) == str(5 * 10 + 8)


def test_run_time_covers_the_rest_of_the_run_and_the_drain_of_requests_in_flight(
    tmp_path: Path,
) -> None:
    load = runner(tmp_path)  # worst call: 2 s + 1 s hold + 2 s; t = 0 may come READY_WAIT late
    wait = int(READY_WAIT)
    assert load.run_time(now=1000.0) == 30 + 5 + wait
    assert load.run_time(now=1012.3) == 23 + wait  # ceil(17.7 + 5)
    assert load.run_time(now=2000.0) == 5 + wait  # started late: only the drain
    assert option(load.argv(now=1000.0), "--run-time") == f"{35 + wait}s"


def test_more_processes_fork_locust_workers(tmp_path: Path) -> None:
    assert option(runner(tmp_path, processes=2).argv(now=0), "--processes") == "2"
    with pytest.raises(InvalidInput):
        runner(tmp_path, processes=0)


def test_a_scenario_without_load_cannot_start_locust(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no traffic"):
        runner(tmp_path, **{"callers-112": 0.0})


def test_the_locust_process_finds_its_config_and_our_package(tmp_path: Path) -> None:
    load = runner(tmp_path)
    env = load.env()
    assert env["DC_LOAD_CONFIG"] == str(tmp_path / "report" / "load-config.json")
    assert str(Path(__file__).resolve().parents[3]) in env["PYTHONPATH"].split(":")


def test_the_harness_side_of_load_never_imports_locust_or_gevent() -> None:
    code = (
        "import sys, harness.load.runner, bench.capacity, harness.load.recorder;"
        "print(sorted(m for m in ('locust', 'gevent') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"
