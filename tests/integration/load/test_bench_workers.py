"""The 1-vs-2-workers bench piece measures calls made on `harness worker` processes, every one
of them relayed to the master's journal, from both workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.workers import SECONDS, workers_capacity
from harness.journal import Request, read_events
from harness.model.stack import Endpoint
from tests.integration.load.servers import SipUas

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_two_workers_calls_are_counted_from_the_masters_journal(tmp_path: Path) -> None:
    with SipUas() as uas:
        ours = workers_capacity(Endpoint("127.0.0.1", uas.port), 2, 8, tmp_path)
    assert ours.failures == 0 and ours.calls > 0
    assert ours.calls_per_s == pytest.approx(ours.calls / SECONDS)
    reqs = [e for e in read_events(tmp_path / "journal.jsonl") if isinstance(e, Request)]
    assert len({r.worker for r in reqs}) == 2
