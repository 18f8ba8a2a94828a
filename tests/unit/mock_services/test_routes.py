"""A service's own HTTP API: found by path and method, after health, control and faults."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from mock_services.core.config import ServiceConfig
from mock_services.core.http_server import Request, Response
from mock_services.core.service import Routes, Service


class Desk(Service):
    kind = "office"

    def routes(self) -> Routes:
        return {"/desk": {"GET": self.read, "POST": self.write}, "/api/*": {"GET": self.read}}

    async def read(self, request: Request) -> Response:
        return Response.json(200, {"read": request.path})

    async def write(self, request: Request) -> Response:
        return Response.json(201, {"wrote": request.path})


def call(method: str, path: str, service: Service | None = None) -> tuple[int, Any]:
    svc = service or Desk(ServiceConfig("office", "office", region=None))
    response = asyncio.run(svc._http_entry(Request(method, path)))
    return response.status, json.loads(response.body)


def test_a_request_reaches_the_handler_of_its_path_and_method() -> None:
    assert call("GET", "/desk") == (200, {"read": "/desk"})
    assert call("POST", "/desk") == (201, {"wrote": "/desk"})


def test_a_route_ending_in_a_star_covers_every_path_it_begins() -> None:
    assert call("GET", "/api/identity/ann") == (200, {"read": "/api/identity/ann"})
    assert call("GET", "/api")[0] == 404  # "/api/*" begins with "/api/"


def test_an_unknown_path_is_404_and_a_known_path_with_another_method_is_405() -> None:
    assert call("GET", "/nothing") == (404, {"error": "no such endpoint /nothing"})
    assert call("DELETE", "/desk") == (405, {"error": "method not allowed"})
    assert call("POST", "/api/x") == (405, {"error": "method not allowed"})


def test_health_and_control_stay_served_beside_the_routes() -> None:
    assert call("GET", "/health")[0] == 200
    assert call("GET", "/_control/stats")[0] == 200


def test_a_service_without_routes_answers_404_to_everything_of_its_own() -> None:
    class Bare(Service):
        kind = "telephony"

    bare = Bare(ServiceConfig("telephony", "telephony", region=None))
    assert call("GET", "/", bare)[0] == 404
