"""The P1 benchmark helpers measure our SIP callers and sipp against the same SIP entry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.capacity import p1_ratio, sip_capacity, sipp_capacity
from harness.model.stack import Endpoint
from tests.integration.load.servers import SipUas
from tests.prerequisites import need_program

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.sipp]


def test_our_capacity_counts_answered_calls_in_the_window(tmp_path: Path) -> None:
    with SipUas() as uas:
        ours = sip_capacity(
            Endpoint("127.0.0.1", uas.port), seconds=2.0, users=8, work_dir=tmp_path
        )
        ours_seen = [c for c in uas.seen.invites if c.endswith("@dispatch-chaos")]
    assert ours.tool == "harness"
    assert ours.failures == 0
    assert 0 < ours.calls <= len(ours_seen)  # calls after the window are not counted
    assert ours.calls_per_s == pytest.approx(ours.calls / 2.0)
    assert ours.p50 is not None and ours.p99 is not None
    assert 0 < ours.p50 <= ours.p99 < 2.0


def test_sipp_doubles_its_rate_until_it_fails_or_reaches_the_top(tmp_path: Path) -> None:
    sipp = need_program("sipp", "sip-tester")
    with SipUas() as uas:
        best, steps = sipp_capacity(
            Endpoint("127.0.0.1", uas.port),
            seconds=1.0,
            start_rate=25,
            max_rate=100,
            work_dir=tmp_path,
            sipp=sipp,
        )
        invites = len(uas.seen.invites)
    assert [s.target_rate for s in steps] == [25, 50, 100]
    assert all(s.failures == 0 for s in steps)
    assert sum(s.calls for s in steps) == invites == 25 + 50 + 100
    assert best.target_rate == 100
    assert best.calls_per_s == max(s.calls_per_s for s in steps)
    assert best.p50 is not None and best.p99 is not None and best.p50 <= best.p99


def test_sipp_stops_at_the_first_step_with_more_than_one_percent_failures(
    tmp_path: Path,
) -> None:
    sipp = need_program("sipp", "sip-tester")
    with SipUas(status="503 Service Unavailable") as uas:
        best, steps = sipp_capacity(
            Endpoint("127.0.0.1", uas.port),
            seconds=1.0,
            start_rate=20,
            work_dir=tmp_path,
            sipp=sipp,
        )
    assert len(steps) == 1
    assert best == steps[0]
    assert best.failure_ratio == 1.0
    assert p1_ratio(best, best) is None
