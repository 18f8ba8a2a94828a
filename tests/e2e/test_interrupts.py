"""Guaranteed clean-up: SIGINT/SIGTERM remove every fault within a second and end the run as
interrupted (130/143) with its report; after kill -9, `harness cleanup` and the next run
restore a clean state. Runs against a stack started with `harness up`, so Toxiproxy and the
processes can be inspected after the harness is gone."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness.supervision import SupervisorClient
from tests.e2e.conftest import DATA, Harness, fault_free, summary, toxiproxy_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SCENARIO = str(DATA / "long-faults.yaml")
# "random points": seeded, so a failure can be replayed
DELAYS = random.Random(20201915).sample([x / 10 for x in range(45, 90)], 3)


def _start_with_faults_on(
    h: Harness, report: Path, delay: float
) -> tuple[subprocess.Popen[str], float]:
    proc = h.start("run", SCENARIO, "--report-dir", str(report))
    client = toxiproxy_of(h)
    deadline = time.monotonic() + 30
    while fault_free(client):  # wait until the faults are really applied
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "faults never appeared"
        time.sleep(0.05)
    time.sleep(max(0.0, delay - 4))
    return proc, time.monotonic()


def _nothing_paused(h: Harness) -> bool:
    status = SupervisorClient(h.stack.control or "").call("status")["services"]
    return not any(s["paused"] for s in status.values()) and all(
        s["alive"] for s in status.values()
    )


def _no_app_faults(h: Harness) -> bool:
    import requests

    url = f"http://{h.stack.services['police-contact-centre'].endpoints['http']}/_control/faults"
    return requests.get(url, timeout=2).json().get("faults", {}) == {}


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_removes_every_fault_within_a_second_and_reports_interrupted(
    stack_harness: Harness, tmp_path: Path, signum: int, code: int
) -> None:
    h = stack_harness
    report = tmp_path / "report"
    proc, _ = _start_with_faults_on(h, report, DELAYS[0])
    client = toxiproxy_of(h)
    proc.send_signal(signum)
    sent = time.monotonic()
    while not (fault_free(client) and _no_app_faults(h) and _nothing_paused(h)):
        assert time.monotonic() - sent < 1.0, "faults still applied one second after the signal"
        time.sleep(0.02)
    output = proc.communicate(timeout=30)[0]
    assert proc.returncode == code, output
    assert summary(report)["verdict"] == "interrupted"
    assert (report / "report.html").exists()
    assert not (h.state_dir / "applied.json").exists()


@pytest.mark.parametrize("delay", DELAYS)
def test_after_kill_9_cleanup_restores_a_clean_state(
    stack_harness: Harness, tmp_path: Path, delay: float
) -> None:
    h = stack_harness
    proc, _ = _start_with_faults_on(h, tmp_path / "report", delay)
    proc.kill()
    proc.communicate(timeout=10)
    client = toxiproxy_of(h)
    assert not fault_free(client)  # kill -9 leaves the faults: that is what cleanup is for
    listed = json.loads((h.state_dir / "applied.json").read_text())["effects"]
    assert listed
    # the Locust process group died with the harness (PDEATHSIG): no load keeps running
    cleanup = h("cleanup")
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert "removed:" in cleanup.stdout
    assert fault_free(client)
    assert _no_app_faults(h)
    assert _nothing_paused(h)
    assert not (h.state_dir / "applied.json").exists()
    assert "nothing to clean up" in h("cleanup").stdout  # idempotent


def test_the_next_run_cleans_up_after_a_kill_9_by_itself(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness
    proc, _ = _start_with_faults_on(h, tmp_path / "first", DELAYS[1])
    proc.kill()
    proc.communicate(timeout=10)
    assert not fault_free(toxiproxy_of(h))
    run = h(
        "run",
        str(DATA / "thin-slice.yaml"),
        "--duration",
        "3",
        "--report-dir",
        str(tmp_path / "second"),
    )
    assert "removed faults left by an earlier run" in run.stderr
    assert run.returncode in (0, 1), run.stderr
    assert fault_free(toxiproxy_of(h))
    assert _nothing_paused(h)
