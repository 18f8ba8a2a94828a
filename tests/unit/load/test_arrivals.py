"""Arrivals: paced by default, or a seeded Poisson process; redials and spill-over in the plan."""

from __future__ import annotations

import itertools
import random
import statistics
from dataclasses import replace
from pathlib import Path

import pytest

from harness.load.config import LoadConfig, LoadOptions, build_load_config
from harness.load.rates import POISSON_SLACK, PoissonPacer, users_for
from harness.model.arrivals import Arrivals, Redial
from harness.model.runtime import TrafficLoad
from tests.unit.load import world


def arrivals(seed: str, rate: float = 2.0, count: int = 2000) -> list[float]:
    pacer = PoissonPacer(100.0, rate, random.Random(seed))
    times = [pacer.due]
    for _ in range(count - 1):
        pacer.wait(now=0.0)  # every request ended at once
        times.append(pacer.due)
    return times


def test_the_same_seed_gives_the_same_arrival_times_and_another_seed_others() -> None:
    assert arrivals("7:callers-112:0-1") == arrivals("7:callers-112:0-1")
    assert arrivals("7:callers-112:0-1") != arrivals("8:callers-112:0-1")


def test_poisson_gaps_are_exponential_with_the_asked_mean() -> None:
    times = arrivals("seed", rate=2.0, count=20_000)
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert statistics.fmean(gaps) == pytest.approx(0.5, rel=0.03)
    # exponential: the standard deviation equals the mean (evenly paced gaps would have none)
    assert statistics.pstdev(gaps) == pytest.approx(0.5, rel=0.05)
    assert times[0] > 100.0  # nothing before the start


def test_a_request_that_overran_starts_the_next_arrival_at_once_and_keeps_the_times() -> None:
    pacer = PoissonPacer(100.0, 1.0, random.Random("x"))
    planned = arrivals("x", rate=1.0, count=4)
    assert pacer.wait(now=planned[3] + 5.0) == 0.0  # late: at once
    assert pacer.due == planned[1]  # the drawn time, not shifted to `now`
    assert pacer.wait(now=100.0) == pytest.approx(planned[2] - 100.0)


def test_a_poisson_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        PoissonPacer(0.0, 0.0, random.Random(1))


def test_an_arrival_with_redials_and_spill_over_is_busy_for_all_its_calls() -> None:
    assert Arrivals().worst(4.0) == 4.0
    plan = Arrivals("paced", Redial(after=5.0, attempts=2), spill_to_112=0.2)
    assert plan.worst(4.0) == 4.0 * 3 + 5.0 * 2 + 4.0  # three calls, two pauses, one 112 call


# --- into the load config --------------------------------------------------------------


def build(load: tuple[TrafficLoad, ...]) -> LoadConfig:
    scenario = replace(world.scenario({}), load=load)
    return build_load_config(
        scenario, world.stack(), Path("/tmp/journal.jsonl"), wall_start=1000.0, duration=30.0
    )


def test_paced_arrivals_stay_the_default() -> None:
    config = build((TrafficLoad("callers-112", 10.0),))
    assert {(g.arrivals, g.redial, g.spill_to_112) for g in config.groups} == {("paced", None, 0.0)}


def test_the_arrival_model_redials_and_spill_over_reach_every_group_and_survive_json(
    tmp_path: Path,
) -> None:
    plan = Arrivals("poisson", Redial(after=0.5, attempts=2), spill_to_112=0.2)
    config = build((TrafficLoad("callers-0900", 5.0, arrivals=plan),))
    worst = LoadOptions().worst(config.groups[0].traffic_class)
    regional = 5.0 / len(config.groups)
    for group in config.groups:
        assert (group.arrivals, group.redial, group.spill_to_112) == ("poisson", plan.redial, 0.2)
        assert group.users == users_for(regional, plan.worst(worst) * POISSON_SLACK)
    assert config.drain == plan.worst(worst)  # every redial started before the end may finish
    config.save(tmp_path / "load.json")
    assert LoadConfig.load(tmp_path / "load.json") == config
