"""A fault undone by hand mid-run: the harness puts it back, journals the drift, says so under
the table and, with the scenario's `max_drift` exceeded, ends the run as an error (exit 3)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from harness.journal import Drift, read_events
from tests.e2e.conftest import DATA, Harness, fault_free, summary, toxiproxy_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LINK = "callers->telephony"


def test_a_fault_undone_by_hand_past_max_drift_ends_the_run_with_exit_3(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness
    report = tmp_path / "report"
    started = time.monotonic()
    proc = h.start("run", str(DATA / "thin-slice-drift.yaml"), "--report-dir", str(report))
    client = toxiproxy_of(h)
    try:
        while client.proxies()[LINK].enabled:
            assert time.monotonic() - started < 30, "the fault never came on"
            time.sleep(0.02)
        time.sleep(0.7)  # seen in force by a verify: what follows is drift
        client.set_enabled(LINK, True)
        output = proc.communicate(timeout=60)[0]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    took = time.monotonic() - started
    assert proc.returncode == 3, output
    assert "faults drifted 1 time, missing for" in output
    data = summary(report)
    assert (data["verdict"], data["exit_code"]) == ("error", 3)
    assert "more than max_drift 1ms" in str(data["reason"])
    assert data["drift"]["events"] == 1  # type: ignore[index]
    (drift,) = [e for e in read_events(report / "journal.jsonl") if isinstance(e, Drift)]
    assert (drift.fault, drift.found, drift.done) == ("entry-down", "proxy enabled", "re-applied")
    assert 0 < drift.missing < 1.5
    assert 'id="drift"' in (report / "report.html").read_text(encoding="utf-8")
    assert fault_free(client)
    assert took < 40
