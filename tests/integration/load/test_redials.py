"""Callers who redial after a failed call and, for 0900, spill over to 112: real Locust, real
SIP through real Toxiproxy, every call in the journal under the class it was made as."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from harness.journal import Request
from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner
from harness.model.arrivals import Arrivals, Redial
from harness.model.runtime import TrafficLoad
from tests.integration.load.conftest import LoadWorld
from tests.integration.load.runs import finish
from tests.unit.load import world

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def run(
    load_world: LoadWorld, tmp_path: Path, arrivals: Arrivals, seed: int = 7
) -> tuple[list[Request], float]:
    """The run's requests and its end (unix time)."""
    scenario = replace(
        world.scenario({}, seed=seed), load=(TrafficLoad("callers-0900", 3.0, arrivals=arrivals),)
    )
    runner = LoadRunner(
        scenario,
        load_world.stack,
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=time.time() + 3.0,
        duration=3.0,
        options=LoadOptions(timeout=1.0),
    ).start()
    return finish(runner), runner.config.end


def test_a_failed_0900_call_is_redialled_then_spills_over_to_112(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    load_world.telephony.refuse = {"09008844": "503 Service Unavailable"}
    plan = Arrivals("poisson", Redial(after=0.2, attempts=2), spill_to_112=1.0)
    reqs, end = run(load_world, tmp_path, plan)
    first = [r for r in reqs if r.traffic == "callers-0900" and "redial" not in r.name]
    early = [r for r in first if r.wall < end - 1.0]  # time enough for both redials and 112
    redials = Counter(r.name.rpartition("(")[2] for r in reqs if "redial" in r.name)
    spilled = [r for r in reqs if r.traffic == "callers-112"]
    assert len(early) >= 3  # about 3/s for 3 s
    assert all(not r.ok for r in reqs if r.traffic == "callers-0900")
    # every arrival redials twice, then dials 112 (none starts after the end)
    assert len(first) >= redials["redial 1)"] >= redials["redial 2)"] >= len(spilled)
    assert len(spilled) >= len(early)
    assert all(r.wall < end for r in reqs)
    assert all(r.ok and r.name.endswith("(spilled from callers-0900)") for r in spilled)
    assert load_world.telephony.seen.numbers["112"] == len(spilled)


def test_without_redials_a_failed_call_is_one_request(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    load_world.telephony.refuse = {"09008844": "503 Service Unavailable"}
    reqs, _ = run(load_world, tmp_path, Arrivals("poisson"))
    assert reqs and {r.traffic for r in reqs} == {"callers-0900"}
    assert not any("redial" in r.name for r in reqs)
    assert load_world.telephony.seen.numbers["09008844"] == len(reqs)


def test_a_rerun_with_the_same_seed_offers_the_same_arrival_offsets(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    def offsets(reqs: list[Request], end: float) -> list[float]:
        return sorted(end - r.wall for r in reqs)  # seconds before the end of its run

    a = offsets(*run(load_world, tmp_path / "a", Arrivals("poisson"), seed=11))
    b = offsets(*run(load_world, tmp_path / "b", Arrivals("poisson"), seed=11))
    assert len(a) == len(b) >= 4
    assert all(abs(x - y) < 0.05 for x, y in zip(a, b, strict=True))
