"""The new bench pieces work against real processes: the hand-written toxiproxy-python loop
flips real proxies, the CPU sampler sees a busy child, a synthetic journal renders."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.cpu import CpuSampler
from bench.flap_loop import loop_transition_lag
from bench.journal_growth import render, summary_verdict, write_journal
from bench.transition_lag import flapping_scenario
from harness import procs
from harness.journal import Request, RunEnd, RunStart, read_events
from harness.schedule import Schedule

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_the_loop_makes_every_scheduled_transition(toxiproxy_binary: str) -> None:
    names = [f"bench-{i}->x" for i in range(4)]
    planned = len(Schedule(flapping_scenario(names, 20.0, 1.0)).transitions())
    lag = loop_transition_lag(rate=20.0, duration=1.0, links=4)
    assert lag.failed == 0
    assert lag.transitions == planned > 10
    assert 0 <= lag.p50_ms <= lag.p99_ms <= lag.max_ms


def test_the_sampler_finds_a_busy_child() -> None:
    busy = [
        sys.executable,
        "-c",
        "import time\nend = time.time() + 1.0\nwhile time.time() < end: pass",
    ]
    with CpuSampler() as cpu:
        proc = procs.spawn(busy)
        try:
            proc.wait(10)
        finally:
            procs.stop(proc)
    top = cpu.busiest(1)[0]
    assert top.pid == proc.pid
    assert 0.5 < top.cpu <= 1.2  # one core for about the whole window
    assert cpu.total() >= top.cpu
    assert cpu.machine() >= 0.5  # the machine-wide count sees the same busy core


def test_a_synthetic_journal_is_a_run_the_report_renders(tmp_path: Path) -> None:
    write_journal(tmp_path / "journal.jsonl", 300)
    events = list(read_events(tmp_path / "journal.jsonl"))
    assert isinstance(events[0], RunStart) and isinstance(events[-1], RunEnd)
    assert sum(isinstance(e, Request) for e in events) == 300
    rendered = render(300, tmp_path)
    assert (tmp_path / "journal-300" / "report.html").is_file()
    assert summary_verdict(tmp_path / "journal-300") in {"passed", "failed"}
    assert rendered.peak_mib > 10 and rendered.seconds > 0
