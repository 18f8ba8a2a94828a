"""Locust as a subprocess against real servers behind real Toxiproxy: every request lands in the
journal, failures are recorded as failures, nothing hangs, and the run ends by itself."""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import pytest

from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner
from tests.integration.load.conftest import LoadWorld
from tests.integration.load.runs import between, finish, flap, group_gone, requests
from tests.unit.load import world

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REGIONS = set(world.topology().regions)
CONNECTION_LOST = {"connection refused", "connection closed by peer", "connection reset by peer"}


def start_load(
    load_world: LoadWorld,
    tmp_path: Path,
    load: dict[str, float],
    duration: float,
    timeout: float = 1.0,
    processes: int = 1,
) -> LoadRunner:
    """A run whose window opens 3 s from now, so Locust has started by then."""
    runner = LoadRunner(
        world.scenario(load, replay=60.0),
        load_world.stack,
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=time.time() + 3.0,
        duration=duration,
        processes=processes,
        options=LoadOptions(timeout=timeout),
    )
    return runner.start()


def test_every_request_of_every_traffic_class_is_journaled_and_the_run_ends_by_itself(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    load = {"callers-112": 10.0, "callers-0900": 2.5, "callers-088": 2.5,
            "radio-units": 5.0, "office-users": 2.0, "dispatchers": 5.0}  # fmt: skip
    duration = 4.0
    runner = start_load(load_world, tmp_path, load, duration, timeout=2.0)
    reqs = finish(runner)
    assert time.time() <= runner.expected_end

    by_class = Counter(r.traffic for r in reqs)
    for traffic, rate in load.items():
        assert 0.75 * rate * duration <= by_class[traffic] <= 1.25 * rate * duration, traffic
    assert [r for r in reqs if not r.ok or r.error] == []
    config = runner.config
    for r in reqs:
        assert config.wall_start <= r.wall < config.end
        assert r.t == pytest.approx(config.scenario_time(r.wall))

    calls = [r for r in reqs if r.traffic.startswith("callers-")]
    seen = load_world.telephony.seen
    assert sorted(r.call_id or "" for r in calls) == sorted(seen.invites)  # one each, no more
    assert seen.acks == seen.byes == set(seen.invites)
    assert seen.numbers == {
        "112": by_class["callers-112"],
        "09008844": by_class["callers-0900"],
        "088": by_class["callers-088"],
    }
    for r in calls:
        assert seen.invites[r.call_id or ""] == r.region
        assert r.answered_by == f"meldkamer-{r.region}"
    assert {r.region for r in calls if r.traffic == "callers-112"} == REGIONS

    http = Counter((method, path) for method, path, _ in load_world.http.seen.http)
    assert http == {("GET", "/"): by_class["office-users"], ("POST", "/dispatch"): by_class["dispatchers"]}  # fmt: skip
    assert {r.via for r in reqs if r.traffic == "dispatchers"} == {"console"}
    assert {r.region for r in reqs if r.traffic == "dispatchers"} == REGIONS
    assert {r.region for r in reqs if r.traffic == "office-users"} == {None}

    lines = load_world.c2000.seen.lines
    assert len(lines) == by_class["radio-units"]
    assert {line.split()[1] for line in lines if line.startswith("PTT")} <= {
        f"tg-{region}" for region in REGIONS
    }

    with (runner.report_dir / "locust_stats.csv").open() as f:
        total = next(row for row in csv.DictReader(f) if row["Name"] == "Aggregated")
    assert (int(total["Request Count"]), int(total["Failure Count"])) == (len(reqs), 0)


def test_requests_through_a_downed_link_fail_fast_and_recover_when_it_comes_back(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    timeout = 1.0
    links = ("callers->telephony", "office-users->office")
    runner = start_load(
        load_world, tmp_path, {"callers-112": 10.0, "office-users": 4.0}, 6.0, timeout
    )
    t0 = runner.config.wall_start
    times = flap(load_world.toxiproxy, links, t0 + 2.0, t0 + 4.0)
    reqs = finish(runner)

    for traffic in ("callers-112", "office-users"):
        mine = [r for r in reqs if r.traffic == traffic]
        before = between(mine, t0, times.disabling - 0.2)  # in flight when cut: either way
        down = between(mine, times.down, times.enabling)
        after = between(mine, times.up, runner.config.end)
        assert before and down and after, traffic
        assert [r.error for r in before + after if not r.ok] == [], traffic
        assert not any(r.ok for r in down), traffic
        assert {r.error for r in down} <= CONNECTION_LOST, traffic
        assert max(r.latency for r in down) < timeout, traffic  # refused at once, no waiting


def test_a_stalled_link_fails_requests_at_the_timeout_and_the_rate_still_holds(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    timeout, duration = 0.5, 3.0
    for link in ("callers->telephony", "office-users->office"):  # data is held, never passed on
        load_world.toxiproxy.add_toxic(link, "stall", "timeout", attributes={"timeout": 0})
    load = {"callers-112": 5.0, "office-users": 4.0}
    runner = start_load(load_world, tmp_path, load, duration, timeout)
    reqs = finish(runner)

    for traffic, rate in load.items():
        mine = [r for r in reqs if r.traffic == traffic]
        assert 0.75 * rate * duration <= len(mine) <= 1.25 * rate * duration, traffic
        assert not any(r.ok for r in mine)
        for r in mine:
            assert timeout * 0.9 <= r.latency <= timeout + 0.5, (traffic, r.latency)
    assert {r.error for r in reqs if r.traffic == "callers-112"} == {
        "timeout: no final answer to INVITE"
    }
    assert {r.error for r in reqs if r.traffic == "office-users"} == {"timeout"}


def test_stop_ends_locust_and_its_workers_within_two_seconds(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    runner = start_load(
        load_world, tmp_path, {"radio-units": 20.0, "callers-112": 10.0}, 60.0, processes=2
    )
    deadline = runner.config.wall_start + 3.0
    while time.time() < deadline:
        time.sleep(0.2)
    assert runner.running()
    began = time.monotonic()
    code = runner.stop()
    took = time.monotonic() - began
    assert took < 2.0, took
    assert code == 0  # ended on SIGTERM by itself (journal flushed), not SIGKILLed
    assert runner.proc is not None
    assert group_gone(runner.proc.pid)

    units = {line.split()[-1] if line.startswith("PTT") else line.split()[1]
             for line in load_world.c2000.seen.lines}  # fmt: skip
    workers = {unit.split("-")[-2] for unit in units}  # unit-<region>-<worker>-<n>
    assert workers == {"0", "1"}
    journaled = [r for r in requests(runner) if r.traffic == "radio-units"]
    # only requests still in flight when stopped may be missing
    assert len(journaled) >= len(load_world.c2000.seen.lines) - 20
