"""summary.json: the schema CI and tools read."""

from __future__ import annotations

import json
from typing import Any

import pytest

from harness.report import ReportFiles


@pytest.fixture
def data(written: ReportFiles) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(written.summary.read_text(encoding="utf-8"))
    return loaded


def test_has_the_run_fields(data: dict[str, Any]) -> None:
    assert data["schema"] == 1
    assert data["scenario"]["name"] == "september-2020"
    assert data["scenario"]["sources"] == ["Kamerbrief 25-09-2020, kenmerk 3031287"]
    assert data["seed"] == 20200915
    assert data["verdict"] == "failed"
    assert data["exit_code"] == 1
    assert data["started"] == "2020-09-13T12:26:40Z"
    assert data["ended"].endswith("Z")
    assert data["duration"] == pytest.approx(
        90.0
    )  # the replay; the wrap-up after it is not run time
    assert data["clock"] == {
        "start": "2020-09-15T00:00:00",
        "span": 237600.0,
        "replay": 90.0,
        "reached": 237600.0,
        "stretches": [  # the sample journal has no focus windows: one stretch, one rate
            {
                "from": "2020-09-15T00:00:00",
                "until": "2020-09-17T18:00:00",
                "wall": 90.0,
                "rate": 2640.0,
            }
        ],
    }


def test_has_every_assertion_with_its_result(data: dict[str, Any]) -> None:
    names = [a["name"] for a in data["assertions"]]
    assert names[0] == "112 answered in every region"
    assert names[-1] == "radio console used in every region"
    for a in data["assertions"]:
        assert set(a) >= {
            "name",
            "metric",
            "op",
            "threshold",
            "observed",
            "passed",
            "samples",
            "detail",
            "regions",
        }
        assert isinstance(a["passed"], bool)
        assert a["observed"] is None or isinstance(a["observed"], float)


def test_keeps_per_region_detail_and_the_worst_region(data: dict[str, Any]) -> None:
    console = data["assertions"][-1]
    assert not console["passed"]
    assert console["worst_region"] != "midden-nederland"  # the control region keeps its console
    by_region = {r["region"]: r for r in console["regions"]}
    assert by_region["midden-nederland"]["passed"]
    assert by_region["midden-nederland"]["observed"] == 1.0
    assert not by_region["rotterdam"]["passed"]
    assert console["display"]["threshold"] == "≥ 99 %"


def test_counts_the_load_per_traffic_class(data: dict[str, Any]) -> None:
    calls = data["traffic"]["callers-112"]
    assert calls["requests"] > 0
    assert calls["ok"] == calls["requests"]
    assert 0 < calls["latency_p50"] <= calls["latency_p95"] <= calls["latency_p99"]
    assert data["traffic"]["callers-0900"]["success_ratio"] < 1.0
