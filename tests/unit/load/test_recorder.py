"""Every Locust request event that names its traffic becomes one journal request."""

from __future__ import annotations

import math
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from harness.clock import linear
from harness.journal import JournalWriter, Request, read_events
from harness.load.recorder import Recorder
from harness.load.transport import OperationFailed


def record(tmp_path: Path, *events: dict[str, object]) -> list[Request]:
    path = tmp_path / "journal.jsonl"
    with JournalWriter(path) as writer:
        recorder = Recorder(writer, wall_start=1000.0, marks=linear(86400.0, 60.0))
        for event in events:
            recorder.on_request(**event)  # type: ignore[arg-type]
    out = list(read_events(path))
    assert all(isinstance(e, Request) for e in out)
    return out  # type: ignore[return-value]


def test_an_answered_call_is_recorded_with_its_call_id_and_meldkamer(tmp_path: Path) -> None:
    (req,) = record(
        tmp_path,
        {
            "request_type": "SIP",
            "name": "INVITE 112 rotterdam",
            "response_time": 12.5,
            "response_length": 0,
            "exception": None,
            "start_time": 1002.0,
            "context": {
                "traffic": "callers-112",
                "region": "rotterdam",
                "call_id": "abc@dispatch-chaos",
                "answered_by": "meldkamer-rotterdam",
            },
        },
    )
    assert req == Request(
        wall=1002.0,
        t=2.0 * 1440.0,
        traffic="callers-112",
        ok=True,
        latency=0.0125,
        region="rotterdam",
        name="INVITE 112 rotterdam",
        call_id="abc@dispatch-chaos",
        answered_by="meldkamer-rotterdam",
    )


def test_a_failed_request_is_recorded_as_failed_with_its_reason(tmp_path: Path) -> None:
    (req,) = record(
        tmp_path,
        {
            "name": "GET /",
            "response_time": 2000.0,
            "exception": OperationFailed("HTTP 503"),
            "start_time": 1001.0,
            "context": {"traffic": "office-users", "region": None},
        },
    )
    assert (req.ok, req.error, req.latency, req.region) == (False, "HTTP 503", 2.0, None)


def test_transport_errors_read_as_short_reasons(tmp_path: Path) -> None:
    (req,) = record(
        tmp_path,
        {
            "name": "POST /dispatch rotterdam",
            "response_time": 1.0,
            "exception": ConnectionRefusedError(111, "Connection refused"),
            "context": {"traffic": "dispatchers", "region": "rotterdam"},
        },
    )
    assert req.error == "connection refused"


def test_a_dispatch_records_the_route_it_took(tmp_path: Path) -> None:
    (req,) = record(
        tmp_path,
        {"name": "POST /dispatch", "response_time": 3.0, "start_time": 1000.0,
         "context": {"traffic": "dispatchers", "region": "zeeland-west-brabant",
                     "via": "radio-sets"}},
    )  # fmt: skip
    assert (req.ok, req.via) == (True, "radio-sets")


def test_a_succeeded_request_can_carry_a_note(tmp_path: Path) -> None:
    (req,) = record(
        tmp_path,
        {"name": "INVITE 112", "response_time": 3.0, "start_time": 1000.0,
         "context": {"traffic": "callers-112", "error": "answered, then BYE failed: timeout"}},
    )  # fmt: skip
    assert (req.ok, req.error) == (True, "answered, then BYE failed: timeout")


def test_requests_that_name_no_traffic_are_not_ours(tmp_path: Path) -> None:
    assert record(tmp_path, {"name": "GET /x", "response_time": 1.0, "context": {}}) == []


@given(st.floats(0, 1e5), st.floats(0.01, 1e4), st.floats(0, 1e5))
def test_scenario_time_is_wall_offset_times_the_clock_factor_on_one_rate(
    wall_start: float, factor: float, offset: float
) -> None:
    marks = linear(factor * 100.0, 100.0)
    recorder = Recorder(writer=None, wall_start=wall_start, marks=marks)  # type: ignore[arg-type]
    assert recorder.scenario_time(wall_start) == 0.0
    assert math.isclose(
        recorder.scenario_time(wall_start + offset), offset * factor, rel_tol=1e-9, abs_tol=1e-6
    )


def test_scenario_time_follows_a_piecewise_clock() -> None:
    # 100 scenario s in 1 wall s, then 10 scenario s in 9 wall s (a focus window)
    recorder = Recorder(
        writer=None, wall_start=0.0, marks=((0.0, 0.0), (100.0, 1.0), (110.0, 10.0))
    )  # type: ignore[arg-type]
    assert recorder.scenario_time(0.5) == 50.0
    assert math.isclose(recorder.scenario_time(5.5), 105.0)
