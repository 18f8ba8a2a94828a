"""What a declared class's answer must be: expected codes, an expected JSON field, an expected
line; anything else is a failure whose journal error says what came instead."""

from __future__ import annotations

import pytest

from harness.load.expect import (
    MISSING,
    http_failure,
    json_field,
    sip_failure,
    tcp_failure,
    with_region,
)
from harness.model.traffic import HttpExchange, SipExchange, TcpExchange

API = HttpExchange("POST", "/incidents", None, (201,), "status", '"accepted"')


def test_a_sip_call_succeeds_with_any_expected_final_status() -> None:
    busy = SipExchange("sip:112@x", (200, 486))
    assert sip_failure(busy, 200, None) is None
    assert sip_failure(busy, 486, "486 Busy Here") is None
    assert sip_failure(busy, 503, "503 Service Unavailable") == (
        "unexpected 503 Service Unavailable (expected 200 or 486)"
    )


def test_a_sip_call_without_a_final_answer_fails_with_the_transport_reason() -> None:
    assert sip_failure(SipExchange("sip:x@y"), None, "connection refused") == "connection refused"


def test_an_http_answer_needs_an_expected_status_and_the_expected_field() -> None:
    assert http_failure(API, 201, '{"status": "accepted"}') is None
    assert http_failure(API, 200, '{"status": "accepted"}') == "HTTP 200 (expected 201)"
    assert http_failure(API, 201, '{"status": "queued"}') == (
        'status is "queued", expected "accepted"'
    )
    assert http_failure(API, 201, "{}") == "protocol error: no 'status' in the answer"
    assert http_failure(API, 201, "<html>") == "protocol error: the answer is no JSON"


def test_without_a_json_check_the_body_is_not_read() -> None:
    assert http_failure(HttpExchange("GET", "/", expect=(404,)), 404, "<html>") is None


@pytest.mark.parametrize(
    ("path", "found"),
    [
        ("a", {"b": [1, {"c": 2}]}),
        ("a.b.1.c", 2),
        ("a.b.0", 1),
        ("a.x", MISSING),
        ("a.b.5", MISSING),
    ],
)
def test_a_json_field_is_a_dotted_path_through_objects_and_lists(path: str, found: object) -> None:
    assert json_field({"a": {"b": [1, {"c": 2}]}}, path) == found


def test_a_line_exchange_needs_exactly_the_expected_line_with_the_region_filled_in() -> None:
    beat = TcpExchange("PING {region}", "PONG {region}")
    assert tcp_failure(beat, "PONG rotterdam", "rotterdam") is None
    assert tcp_failure(beat, "PONG", "rotterdam") == "unexpected reply 'PONG' (expected 'PONG rotterdam')"  # fmt: skip
    assert with_region("PING {region}", None) == "PING national"
