"""The health endpoint and control API every service serves, and the HTTP fault gate."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from mock_services.core.config import ServiceConfig
from mock_services.core.faults import GARBAGE
from mock_services.core.http_server import Hangup, Request, Response
from mock_services.core.service import Service


class Echo(Service):
    kind = "police-ict"

    async def handle(self, request: Request) -> Response:
        return Response.json(200, {"served": request.path})


def call(service: Service, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    raw = json.dumps(body).encode() if body is not None else b""
    response = asyncio.run(service._http_entry(Request(method, path, body=raw)))
    return response.status, json.loads(response.body)


def service() -> Echo:
    return Echo(ServiceConfig("police-ict", "police-ict", region=None))


def test_health_names_the_service_and_its_kind() -> None:
    assert call(service(), "GET", "/health") == (
        200,
        {"service": "police-ict", "kind": "police-ict", "region": None, "status": "ok"},
    )


def test_faults_can_be_set_listed_and_removed() -> None:
    svc = service()
    assert call(svc, "PUT", "/_control/faults/dc.flap", {"mode": "http", "status": 503})[0] == 200
    assert call(svc, "GET", "/_control/faults") == (
        200,
        {"faults": {"dc.flap": {"mode": "http", "status": 503}}},
    )
    assert call(svc, "DELETE", "/_control/faults/dc.flap") == (200, {"removed": 1})
    assert call(svc, "DELETE", "/_control/faults/dc.flap") == (200, {"removed": 0})
    call(svc, "PUT", "/_control/faults/a", {"mode": "drop"})
    assert call(svc, "DELETE", "/_control/faults") == (200, {"removed": 1})


def test_a_bad_fault_spec_is_a_400_with_the_reason() -> None:
    status, body = call(service(), "PUT", "/_control/faults/x", {"mode": "sip"})
    assert status == 400 and "status" in body["error"]


def test_an_http_fault_answers_instead_of_the_service_but_never_health_or_control() -> None:
    svc = service()
    call(svc, "PUT", "/_control/faults/dc.x", {"mode": "http", "status": 503})
    assert call(svc, "GET", "/api/x")[0] == 503
    assert call(svc, "GET", "/health")[0] == 200
    assert call(svc, "GET", "/_control/stats")[0] == 200


def test_a_scoped_fault_spares_other_paths() -> None:
    svc = service()
    call(svc, "PUT", "/_control/faults/dc.x", {"mode": "http", "status": 500, "scope": "/api/a"})
    assert call(svc, "GET", "/api/a/1")[0] == 500
    assert call(svc, "GET", "/api/b")[0] == 200


@pytest.mark.parametrize(("mode", "garbage"), [("garbage", GARBAGE), ("drop", b"")])
def test_garbage_and_drop_faults_hang_up(mode: str, garbage: bytes) -> None:
    svc = service()
    call(svc, "PUT", "/_control/faults/dc.x", {"mode": mode})
    with pytest.raises(Hangup) as caught:
        call(svc, "GET", "/api/x")
    assert caught.value.garbage == garbage


def test_a_slow_fault_delays_the_answer() -> None:
    svc = service()
    call(svc, "PUT", "/_control/faults/dc.x", {"mode": "slow", "delay": 0.05})
    loop_time = asyncio.run(_timed(svc))
    assert loop_time >= 0.05


async def _timed(svc: Service) -> float:
    loop = asyncio.get_running_loop()
    started = loop.time()
    await svc._http_entry(Request("GET", "/api/x"))
    return loop.time() - started


def test_stats_count_what_happened() -> None:
    svc = service()
    call(svc, "PUT", "/_control/faults/dc.x", {"mode": "http", "status": 503})
    call(svc, "GET", "/api/x")
    status, body = call(svc, "GET", "/_control/stats")
    assert status == 200 and body["counters"]["fault.http"] == 1


def test_unknown_control_paths_and_methods_are_refused() -> None:
    assert call(service(), "GET", "/_control/nothing")[0] == 404
    assert call(service(), "POST", "/health")[0] == 405
    assert call(service(), "POST", "/_control/faults")[0] == 405
