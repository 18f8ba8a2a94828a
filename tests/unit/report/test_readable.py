"""Values in the report read the way an engineer expects."""

from __future__ import annotations

import pytest

from harness.assertions.evaluate import Outcome, RegionOutcome
from harness.model.scenario import Check
from harness.report import readable


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (1.0, "100 %"),
        (0.0, "0 %"),
        (0.9995, "99.95 %"),
        (0.99999, "99.999 %"),  # never rounded up to 100 %
        (0.00001, "0.001 %"),  # never rounded down to 0 %
        (0.25, "25.00 %"),
    ],
)
def test_ratios_read_as_percentages(ratio: float, text: str) -> None:
    assert readable.value("success_ratio", ratio) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.0123, "12.3 ms"), (0.5, "500 ms"), (2.5, "2.50 s"), (600, "10.0 min")]
)
def test_times_read_in_ms_or_s(seconds: float, text: str) -> None:
    assert readable.value("latency", seconds) == text


def test_counts_read_whole() -> None:
    assert readable.value("requests", 1200.0) == "1200"


def test_nothing_observed_reads_as_a_dash() -> None:
    assert readable.value("max_gap", None) == "—"


@pytest.mark.parametrize(
    ("metric", "op", "limit", "text"),
    [
        ("success_ratio", ">=", 0.999, "≥ 99.9 %"),
        ("max_gap", "<=", 2.0, "≤ 2s"),
        ("latency", "<", 0.5, "< 500ms"),
        ("incidents_reconciled", "==", 1.0, "= 100 %"),
        ("requests", ">", 10, "> 10"),
    ],
)
def test_thresholds_read_as_written(metric: str, op: str, limit: float, text: str) -> None:
    assert readable.threshold(metric, op, limit) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(30, "30 s"), (2700, "45 min"), (12000, "3 h 20 min"), (183600, "2 d 3 h")],
)
def test_scenario_durations_read_in_days_hours_minutes(seconds: float, text: str) -> None:
    assert readable.duration(seconds) == text


def _per_region(*observed: float | None) -> Outcome:
    regions = tuple(RegionOutcome(f"r{i}", v, 10, True) for i, v in enumerate(observed))
    return Outcome(
        Check("c", "success_ratio", ">=", 0.5, "callers-112", "region"),
        0.9,
        10,
        True,
        regions=regions,
        worst="r0",
    )


def test_the_worst_region_is_named_when_regions_differ() -> None:
    assert readable.worst(_per_region(0.9, 1.0)) == "r0"


def test_the_worst_region_is_not_named_when_all_agree() -> None:
    assert readable.worst(_per_region(1.0, 1.0)) is None
