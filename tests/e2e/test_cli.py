"""The `harness` command as users meet it: validate, list, up, status, down, cleanup, report."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from tests.e2e.conftest import DATA, ROOT, SCENARIOS, Harness

BROKEN = ROOT / "tests" / "data" / "broken"


def test_validate_accepts_every_scenario_in_the_library(harness: Harness) -> None:
    files = sorted(str(p) for p in SCENARIOS.glob("*.yaml"))
    result = harness("validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok  ") == len(files)


def test_validate_reports_every_broken_file_as_file_line_message_with_exit_2(
    harness: Harness,
) -> None:
    files = sorted(BROKEN.glob("*.yaml"))[:10]
    result = harness("validate", *map(str, files))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for file in files:
        assert f"{file}:" in result.stderr, file


def test_a_missing_scenario_is_invalid_input_not_a_crash(harness: Harness, tmp_path: Path) -> None:
    result = harness("run", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_arguments_exit_2(harness: Harness) -> None:
    assert harness("run", str(DATA / "thin-slice.yaml"), "--duration", "-5").returncode == 2
    assert harness("run", str(DATA / "thin-slice.yaml"), "--backend", "cloud").returncode == 2
    assert harness("frobnicate").returncode == 2


def test_list_shows_every_scenario_with_its_description_and_sources(harness: Harness) -> None:
    result = harness("list")
    assert result.returncode == 0, result.stderr
    for name in ("september-2020", "kpn-2019-112", "baseline", "coupling-regression"):
        assert name in result.stdout
    assert "3031287" in result.stdout  # the September letter to parliament


def test_status_and_cleanup_are_safe_when_nothing_is_up(harness: Harness) -> None:
    status = harness("status", "--json")
    assert status.returncode == 3
    assert json.loads(status.stdout) == {"up": False}
    cleanup = harness("cleanup")
    assert cleanup.returncode == 0
    assert "nothing to clean up" in cleanup.stdout
    assert harness("down").returncode == 0


@pytest.mark.integration
def test_up_status_down_lists_every_endpoint_and_proxy_and_leaves_nothing(harness: Harness) -> None:
    up = harness("up", timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        again = harness("up")
        assert again.returncode == 2
        assert "already up" in again.stderr
        status = harness("status", "--json")
        assert status.returncode == 0
        data = json.loads(status.stdout)
        assert len(data["services"]) == 16
        assert len(data["proxies"]) == 41
        assert all(s["alive"] for s in data["services"])
        for proxy in data["proxies"]:
            assert proxy["listen"].startswith("127.0.0.1:")
            assert proxy["upstream"].startswith("127.0.0.1:")
            assert proxy["enabled"] is True
            assert proxy["toxics"] == []
        for service in data["services"]:
            assert all(e.startswith("127.0.0.1:") for e in service["endpoints"].values())
        table = harness("status")
        assert "telephony->meldkamer-rotterdam" in table.stdout
        supervisor = harness.stack.supervisor_pid
    finally:
        down = harness("down")
    assert down.returncode == 0
    assert "stack down" in down.stdout
    assert not (harness.state_dir / "stack.json").exists()
    assert supervisor is not None
    assert not _running(supervisor)


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
