"""How runs end besides passing: a halt condition stops a run early; a Toxiproxy restart mid-run
gets the desired faults re-applied instead of a silent pass."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from harness.journal import Drift, Halt, Probe, RunEnd, RunStart, read_events
from harness.toxiproxy.client import ToxiproxyClient
from tests.e2e.conftest import DATA, Harness, fault_free, summary, toxiproxy_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_a_halt_condition_stops_the_run_early_with_exit_1(
    stack_harness: Harness, tmp_path: Path
) -> None:
    report = tmp_path / "report"
    started = time.monotonic()
    run = stack_harness("run", str(DATA / "halting.yaml"), "--report-dir", str(report))
    took = time.monotonic() - started
    assert run.returncode == 1, run.stdout + run.stderr
    assert "HALT" in run.stderr
    assert summary(report)["verdict"] == "halted"
    events = list(read_events(report / "journal.jsonl"))
    start = next(e for e in events if isinstance(e, RunStart))
    halt = next(e for e in events if isinstance(e, Halt))
    assert halt.wall - start.wall < start.replay - 10  # well before the 30 s replay ends
    assert took < start.replay + 15
    assert fault_free(toxiproxy_of(stack_harness))  # the fault came off with the halt
    assert isinstance(events[-1], RunEnd)


def both_in_force(client: ToxiproxyClient) -> bool:
    """office-cut and slow-gms (on every meldkamer's GMS link) applied."""
    proxies = client.proxies()
    slow = [p for name, p in proxies.items() if name.endswith("->gms")]
    return not proxies["office->police-ict"].enabled and all(
        p.toxic("dc.slow-gms") is not None for p in slow
    )


def test_toxiproxy_restarted_mid_run_gets_the_faults_back(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness
    report = tmp_path / "report"
    proc = h.start(
        "run", str(DATA / "long-faults.yaml"), "--duration", "15", "--report-dir", str(report)
    )
    client = toxiproxy_of(h)
    deadline = time.monotonic() + 30
    # Kill only once both faults are in force: killed between the first and the last of the
    # opening transitions, the rest would be retried as transitions, not healed as drift.
    while not both_in_force(client):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    toxiproxy_pid = h.stack.extra["toxiproxy_pid"]
    os.kill(toxiproxy_pid, signal.SIGKILL)  # the stack's supervisor brings it back
    killed, killed_wall = time.monotonic(), time.time()
    while True:
        try:
            proxies = client.proxies()
            office = proxies["office->police-ict"]
            slow = proxies["meldkamer-rotterdam->gms"]
            if (
                h.stack.extra["toxiproxy_pid"] != toxiproxy_pid
                and not office.enabled
                and slow.toxic("dc.slow-gms") is not None
            ):
                break
        except Exception:
            pass
        assert time.monotonic() - killed < 5, "faults not re-applied within 5 s"
        time.sleep(0.05)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode in (0, 1), output
    events = list(read_events(report / "journal.jsonl"))
    assert any(isinstance(e, Probe) and e.name == "faults" for e in events), output
    reapplied = [e for e in events if isinstance(e, Drift) and e.wall > killed_wall]
    assert reapplied and all(e.ok for e in reapplied)
    # What the reconciler saw depends on whether it looked while Toxiproxy was down or after the
    # supervisor had brought it back bare: either way each finding says the fault was gone.
    gone = ("Toxiproxy ", "proxy missing", "proxy enabled", "toxic missing")
    assert all(e.found.startswith(gone) for e in reapplied), [e.found for e in reapplied]
    assert {"office-cut", "slow-gms"} <= {e.fault for e in reapplied}
    assert fault_free(client)
