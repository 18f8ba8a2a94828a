"""Growth curves' pure parts: the linear-growth judgement, generated topologies, the plot."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.growth import growth_ratio
from bench.plot import bars
from bench.topologies_gen import region_names, write_topology
from harness.model.topology import load_topology


def test_a_cost_growing_with_the_size_is_linear() -> None:
    assert growth_ratio([10, 100], [2.0, 20.0]) == pytest.approx(1.0)


def test_a_cost_growing_faster_than_the_size_is_not_linear() -> None:
    assert growth_ratio([10, 100], [1.0, 100.0]) == pytest.approx(10.0)


def test_a_fixed_part_makes_growth_less_than_linear() -> None:
    assert growth_ratio([10, 20, 100], [3.0, 4.0, 12.0]) == pytest.approx(0.4)


def test_growth_needs_a_positive_first_cost() -> None:
    with pytest.raises(ValueError, match="positive first cost"):
        growth_ratio([10, 100], [0.0, 5.0])


@pytest.mark.parametrize("regions", [2, 5, 25])
def test_generated_topologies_load_and_grow_by_a_fixed_amount_per_region(
    regions: int, tmp_path: Path
) -> None:
    topology = load_topology(write_topology(regions, tmp_path))
    assert len(topology.services) == 6 + 2 * regions
    assert len(topology.links) == 7 + 7 * regions
    assert {s.region for s in topology.services.values() if s.region} == set(region_names(regions))


def test_one_region_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 2 regions"):
        write_topology(1, Path("/nonexistent"))


def test_bars_scale_to_the_largest_and_mark_what_was_not_measured() -> None:
    text = bars("start", ["5", "100"], [1.0, 4.0], "s").splitlines()
    assert text[0] == "start"
    assert text[1].count("#") == 10 and text[2].count("#") == 40
    assert bars("x", ["a"], [None], "s").endswith("(not measured)")
