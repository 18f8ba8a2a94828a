"""Our callers against the real mock telephony and meldkamers, entering through Toxiproxy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.capacity import p1_ratio, sip_capacity, sipp_capacity
from harness.journal import Request
from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner
from harness.model.stack import Endpoint, ProxyInfo, StackInfo
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.load.mock_world import TelephonyWorld, telephony_world
from tests.integration.load.runs import between, finish, flap
from tests.prerequisites import need_program
from tests.unit.load import world

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STARTED = ("rotterdam", "midden-nederland")
# who answers a 112 call from each region when only STARTED meldkamers run (backup routing)
ANSWERS = {
    "rotterdam": "meldkamer-rotterdam",
    "midden-nederland": "meldkamer-midden-nederland",
    "oost-brabant": "meldkamer-midden-nederland",
    "noord-holland": "meldkamer-midden-nederland",
    "zeeland-west-brabant": "meldkamer-rotterdam",
}


@pytest.fixture
def telephony(toxiproxy: ToxiproxyClient, tmp_path: Path) -> Iterator[TelephonyWorld]:
    with telephony_world(toxiproxy, tmp_path / "services", STARTED) as mock:
        yield mock


def callers_stack(toxiproxy: ToxiproxyClient, entry: Endpoint) -> StackInfo:
    """The callers->telephony link through its own proxy, as every backend provides it."""
    state = toxiproxy.create_proxy("callers->telephony", "127.0.0.1:0", str(entry))
    proxy = ProxyInfo(state.name, state.listen, state.upstream)
    return StackInfo("local", world.topology().file, toxiproxy.api, {}, {proxy.name: proxy})


def run(stack: StackInfo, tmp_path: Path, duration: float, rate: float = 10.0) -> LoadRunner:
    runner = LoadRunner(
        world.scenario({"callers-112": rate, "callers-088": 2.0}),
        stack,
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=time.time() + 3.0,
        duration=duration,
        options=LoadOptions(timeout=3.0),  # above telephony's own 2 s: its answer, not ours
    )
    return runner.start()


def calls(runner: LoadRunner, traffic: str) -> list[Request]:
    return [r for r in finish(runner) if r.traffic == traffic]


def test_112_calls_are_answered_by_their_meldkamer_or_its_backup(
    toxiproxy: ToxiproxyClient, telephony: TelephonyWorld, tmp_path: Path
) -> None:
    runner = run(callers_stack(toxiproxy, telephony.entry), tmp_path, duration=3.0)
    made = calls(runner, "callers-112")
    assert 24 <= len(made) <= 36
    assert {r.region for r in made} == set(ANSWERS)
    assert [r for r in made if not r.ok] == []
    assert {(r.region, r.answered_by) for r in made} == set(ANSWERS.items())
    assert len({r.call_id for r in made}) == len(made)


def test_a_caller_whose_call_nobody_can_take_gets_the_final_status(
    toxiproxy: ToxiproxyClient, telephony: TelephonyWorld, tmp_path: Path
) -> None:
    runner = run(callers_stack(toxiproxy, telephony.entry), tmp_path, duration=2.0)
    made = calls(runner, "callers-088")  # police-contact-centre is not running
    assert made
    assert not any(r.ok for r in made)
    # telephony's Warning names who did not answer when it knows (a refused connection is
    # immediate; a timed-out one is told as "no answer from ...")
    assert {(r.error or "").split(";")[0] for r in made} == {"503 Service Unavailable"}
    warned = {r.error for r in made if r.error and "Warning" in r.error}
    assert warned <= {
        '503 Service Unavailable; Warning: 399 telephony "no answer from police-contact-centre"'
    }


def test_calls_fail_while_the_callers_link_is_down_and_succeed_again_after(
    toxiproxy: ToxiproxyClient, telephony: TelephonyWorld, tmp_path: Path
) -> None:
    runner = run(callers_stack(toxiproxy, telephony.entry), tmp_path, duration=5.0)
    t0 = runner.config.wall_start
    times = flap(toxiproxy, ["callers->telephony"], t0 + 1.5, t0 + 3.0)
    made = calls(runner, "callers-112")
    down = between(made, times.down, times.enabling)
    assert down and not any(r.ok for r in down)
    assert all(r.latency < 1.0 for r in down)
    up = between(made, t0, times.disabling - 0.2) + between(made, times.up, runner.config.end)
    assert [(round(r.wall - t0, 2), r.error) for r in up if not r.ok] == []


@pytest.mark.sipp
def test_our_callers_and_sipp_both_measure_the_mock_telephony(
    telephony: TelephonyWorld, tmp_path: Path
) -> None:
    sipp = need_program("sipp", "sip-tester")
    ours = sip_capacity(telephony.entry, seconds=2.0, users=10, work_dir=tmp_path / "ours")
    best, steps = sipp_capacity(
        telephony.entry, seconds=1.0, start_rate=50, max_rate=100, work_dir=tmp_path / "sipp",
        sipp=sipp,
    )  # fmt: skip
    assert ours.calls > 0 and ours.failures == 0
    assert [s.target_rate for s in steps] == [50, 100]
    assert best.failures == 0
    ratio = p1_ratio(ours, best)
    assert ratio is not None and ratio > 0
