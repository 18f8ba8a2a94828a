"""Application faults: what the control API accepts and which requests a fault covers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.core.faults import HEALTHY, AppFault, FaultError, FaultTable


@pytest.mark.parametrize(
    "raw",
    [
        {"mode": "sip", "status": 503},
        {"mode": "http", "status": 500, "scope": "/incidents"},
        {"mode": "slow", "delay": 2.0},
        {"mode": "slow", "delay": 0},
        {"mode": "garbage"},
        {"mode": "drop", "scope": "112"},
    ],
)
def test_the_documented_faults_are_accepted_and_read_back_the_same(raw: dict[str, Any]) -> None:
    fault = AppFault.from_json(raw)
    assert AppFault.from_json(fault.to_json()) == fault
    assert fault.to_json() == {**raw, **({"delay": float(raw["delay"])} if "delay" in raw else {})}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "JSON object"),
        ({"mode": "explode"}, "mode"),
        ({"mode": "sip"}, "status from 400 to 699"),
        ({"mode": "sip", "status": 200}, "status"),
        ({"mode": "http", "status": 600}, "400 to 599"),
        ({"mode": "http", "status": True}, "status"),
        ({"mode": "slow"}, "delay"),
        ({"mode": "slow", "delay": -1}, "delay"),
        ({"mode": "slow", "delay": "2s"}, "delay"),
        ({"mode": "drop", "scope": ""}, "scope"),
        ({"mode": "drop", "fault": "x"}, "unknown field 'fault'"),
    ],
)
def test_a_bad_spec_is_refused_with_a_reason(raw: object, message: str) -> None:
    with pytest.raises(FaultError, match=message):
        AppFault.from_json(raw)


def test_status_faults_cover_only_their_protocol_the_others_cover_all() -> None:
    assert AppFault("sip", 503).covers("sip", ())
    assert not AppFault("sip", 503).covers("http", ())
    assert not AppFault("http", 500).covers("line", ())
    for mode in ("slow", "garbage", "drop"):
        assert all(AppFault(mode).covers(p, ()) for p in ("sip", "http", "line"))


def test_a_scope_matches_a_tag_or_an_http_path_prefix() -> None:
    fault = AppFault("sip", 503, scope="112")
    assert fault.covers("sip", ("sip", "INVITE", "112"))
    assert not fault.covers("sip", ("sip", "INVITE", "0900"))
    path = AppFault("http", 500, scope="/incidents")
    assert path.covers("http", ("http", "/incidents"))
    assert path.covers("http", ("http", "/incidents/by-call"))
    assert not path.covers("http", ("http", "/incidentsX"))
    assert not path.covers("http", ("http", "/dispatch"))


def test_no_fault_means_the_healthy_verdict() -> None:
    assert FaultTable().verdict("sip", ("sip",)) is HEALTHY


def test_the_first_answering_fault_wins_and_slow_faults_take_the_longest_delay() -> None:
    table = FaultTable()
    table.put("a", AppFault("slow", delay=1.0))
    table.put("b", AppFault("sip", 486, scope="0900"))
    table.put("c", AppFault("sip", 503))
    table.put("d", AppFault("slow", delay=2.5))
    verdict = table.verdict("sip", ("sip", "INVITE", "112"))
    assert verdict.delay == 2.5
    assert verdict.answer == AppFault("sip", 503)
    assert table.verdict("sip", ("sip", "INVITE", "0900")).answer == AppFault(
        "sip", 486, scope="0900"
    )


def test_putting_a_fault_again_replaces_it_and_removing_is_idempotent() -> None:
    table = FaultTable()
    table.put("dc.x", AppFault("sip", 503))
    table.put("dc.x", AppFault("drop"))
    assert table.to_json() == {"dc.x": {"mode": "drop"}}
    assert table.remove("dc.x") is True
    assert table.remove("dc.x") is False
    table.put("dc.y", AppFault("drop"))
    assert table.clear() == 1


def test_a_fault_id_must_be_a_plain_name() -> None:
    with pytest.raises(FaultError):
        FaultTable().put("a/b", AppFault("drop"))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(
    json_values
    | st.fixed_dictionaries(
        {"mode": st.sampled_from(["sip", "http", "slow", "garbage", "drop"])},
        optional={"status": json_values, "delay": json_values, "scope": json_values},
    )
)
def test_any_json_is_a_fault_or_a_fault_error(raw: object) -> None:
    try:
        fault = AppFault.from_json(raw)
    except FaultError:
        return
    assert fault.mode in ("sip", "http", "slow", "garbage", "drop")
