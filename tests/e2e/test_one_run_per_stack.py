"""One run per stack, against a real stack: a second `harness run` on a kept stack refuses at
once (exit 3) naming the holder and leaves the first run's faults alone; a run killed with -9
leaves a stale lock the next run takes over with a note; runs that bring up their own stacks
stay independent."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from harness.journal import Probe, read_events
from harness.toxiproxy.client import ProxyState
from tests.e2e.conftest import DATA, Harness, fault_free, summary, toxiproxy_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]
LONG = str(DATA / "long-faults.yaml")
SHORT = str(DATA / "thin-slice.yaml")


def _faults(h: Harness) -> dict[str, ProxyState]:
    """Every proxy that carries a fault right now."""
    return {
        name: p
        for name, p in toxiproxy_of(h).proxies().items()
        if not p.enabled or any(t.name.startswith("dc.") for t in p.toxics)
    }


def _start_with_faults_on(h: Harness, report: Path) -> subprocess.Popen[str]:
    proc = h.start("run", LONG, "--duration", "40", "--report-dir", str(report))
    deadline = time.monotonic() + 30
    while fault_free(toxiproxy_of(h)):
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "faults never appeared"
        time.sleep(0.05)
    time.sleep(1.0)  # past the first verify: the run's own state is settled
    return proc


def test_a_second_run_on_a_kept_stack_refuses_at_once_and_leaves_the_first_alone(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness
    first = _start_with_faults_on(h, tmp_path / "first")
    try:
        before = _faults(h)
        status = json.loads(h("status", "--json").stdout)
        assert status["run"]["pid"] == first.pid and status["run"]["scenario"] == "long-faults"
        asked = time.monotonic()
        second = h("run", SHORT, "--duration", "3", "--report-dir", str(tmp_path / "second"))
        assert second.returncode == 3, second.stdout + second.stderr
        assert time.monotonic() - asked < 15  # refused before any stack work, not after a run
        assert f"run pid {first.pid} (scenario long-faults, started " in second.stderr
        assert not (tmp_path / "second" / "journal.jsonl").exists()
        time.sleep(1.2)  # two of the first run's verify rounds
        assert _faults(h) == before  # nothing removed, nothing healed
        assert first.poll() is None
    finally:
        first.send_signal(signal.SIGINT)
        output = first.communicate(timeout=30)[0]
    assert first.returncode == 130, output
    journal = tmp_path / "first" / "journal.jsonl"
    missing = [e for e in read_events(journal) if isinstance(e, Probe) and not e.ok]
    assert missing == []  # the first run never had to heal a fault the second one removed
    assert fault_free(toxiproxy_of(h))


def test_a_lock_left_by_a_run_killed_with_9_is_taken_over_with_a_note(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness
    dead = _start_with_faults_on(h, tmp_path / "first")
    dead.kill()
    dead.communicate(timeout=10)
    assert (h.state_dir / "run.lock").exists()
    run = h("run", SHORT, "--duration", "3", "--report-dir", str(tmp_path / "second"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"note: took over the stack from run pid {dead.pid} (scenario long-faults" in run.stderr
    assert "which is gone" in run.stderr
    assert "removed faults left by an earlier run" in run.stderr
    assert fault_free(toxiproxy_of(h))
    assert not (h.state_dir / "run.lock").exists()


def test_runs_that_each_bring_up_their_own_stack_stay_independent(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    first = h.start("run", SHORT, "--duration", "12", "--report-dir", str(tmp_path / "first"))
    try:
        deadline = time.monotonic() + 30
        while not (tmp_path / "first" / "journal.jsonl").exists():
            assert first.poll() is None, first.communicate()[0]
            assert time.monotonic() < deadline, "the first run never started"
            time.sleep(0.1)
        second = h("run", SHORT, "--duration", "3", "--report-dir", str(tmp_path / "second"))
        assert second.returncode == 0, second.stdout + second.stderr
    finally:
        output = first.communicate(timeout=60)[0]
    assert first.returncode == 0, output
    assert summary(tmp_path / "first")["verdict"] == "passed"
    assert summary(tmp_path / "second")["verdict"] == "passed"
    assert not (h.state_dir / "runs").exists() or not any((h.state_dir / "runs").iterdir())
