"""The app driver and clean-up against a real mock service's control API (GMS, alone)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from harness import paths, procs
from harness.faults.app import AppDriver
from harness.faults.applied import AppliedStore, Entry
from harness.faults.cleanup import cleanup
from harness.model.effects import AppFault

pytestmark = pytest.mark.integration

UNAVAILABLE = AppFault("gms-down", "gms", (("mode", "http"), ("status", 503)))


@pytest.fixture
def gms() -> Iterator[str]:
    """host:port of a GMS mock started on its own (no dependencies, ephemeral ports)."""
    proc = procs.spawn([sys.executable, "-m", "mock_services.gms"], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        ready = proc.stdout.readline().decode()
        assert ready.startswith("READY "), ready
        yield json.loads(ready.split(" ", 1)[1])["endpoints"]["http"]
    finally:
        procs.stop(proc)
        if proc.stdout is not None:
            proc.stdout.close()


def status(endpoint: str) -> int:
    return requests.get(f"http://{endpoint}/incidents/by-call", timeout=2).status_code


def test_an_app_fault_really_changes_the_answers_until_removed(gms: str) -> None:
    driver = AppDriver({"gms": gms})
    assert status(gms) == 200
    driver.apply(UNAVAILABLE)
    assert status(gms) == 503
    assert driver.observed() == {UNAVAILABLE}
    driver.remove(UNAVAILABLE)
    assert status(gms) == 200
    assert driver.observed() == set()
    driver.close()


def test_cleanup_removes_an_app_fault_a_dead_run_left(gms: str, tmp_path: Path) -> None:
    driver = AppDriver({"gms": gms})
    driver.apply(UNAVAILABLE)
    AppliedStore(paths.applied_file(tmp_path)).save(
        [Entry(UNAVAILABLE, driver.undo_record(UNAVAILABLE))]
    )
    driver.close()
    report = cleanup(tmp_path)
    assert report.ok and len(report.removed) == 1, str(report)
    assert status(gms) == 200
