"""sipp, a real SIP load tool, places 112 calls over TCP through Toxiproxy: all answered."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.conftest import REGIONS
from tests.integration.mock_services.world import World
from tests.prerequisites import need_program

pytestmark = [pytest.mark.integration, pytest.mark.sipp]

HERE = Path(__file__).parent
SCENARIO = HERE / "sipp_112.xml"
REGIONS_FILE = HERE / "sipp_regions.csv"  # one region per call, in turn
SERVICES = ["telephony", "gms", "police-ict", *(f"meldkamer-{r}" for r in REGIONS)]


@pytest.fixture
def world(module_toxiproxy: ToxiproxyClient, tmp_path: Path) -> Iterator[World]:
    with World(module_toxiproxy, tmp_path / "world", SERVICES) as world:
        yield world


def sipp(world: World, workdir: Path, rate: int, calls: int) -> dict[str, str]:
    """Run sipp (bounded: `calls` calls, 60 s at most); the last line of its statistics."""
    binary = need_program("sipp", "sip-tester")
    host, port = world.entry("callers->telephony")
    stats = workdir / "stats.csv"
    result = subprocess.run(
        [
            binary,
            "-sf",
            str(SCENARIO),
            "-inf",
            str(REGIONS_FILE),
            "-t",
            "t1",
            "-r",
            str(rate),
            "-m",
            str(calls),
            "-l",
            str(rate * 2),
            "-recv_timeout",
            "5000",
            "-timeout",
            "60s",
            "-nostdin",
            "-trace_stat",
            "-stf",
            str(stats),
            f"{host}:{port}",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=90,
    )
    header, *_, last = stats.read_text().splitlines()
    row = dict(zip(header.split(";"), last.split(";"), strict=False))
    row["exit"] = str(result.returncode)
    return row


def test_sipp_112_calls_over_tcp_are_all_answered_and_all_registered(
    world: World, tmp_path: Path
) -> None:
    calls = 500
    row = sipp(world, tmp_path, rate=100, calls=calls)
    assert row["exit"] == "0"  # sipp: every call succeeded
    assert int(row["SuccessfulCall(C)"]) == calls
    assert int(row["FailedCall(C)"]) == 0
    answered = sum(world.counters(f"meldkamer-{r}").get("calls.answered", 0) for r in REGIONS)
    assert answered == calls
    assert {world.counters(f"meldkamer-{r}")["calls.answered"] for r in REGIONS} == {calls // 5}
    deadline = time.monotonic() + 10
    while True:
        counts = world.request("gms", "GET", "/incidents/by-call")[1]["counts"]
        if len(counts) == calls or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(counts) == calls and set(counts.values()) == {1}
