"""The health endpoint and the control API every service serves on its `http` listener.

    GET    /health                 200 {"service", "kind", "region", "status": "ok"}
    GET    /_control/stats         200 {"service", "counters": {...}}
    GET    /_control/faults        200 {"faults": {id: spec}}
    PUT    /_control/faults/<id>   200 {"id", "fault"}; 400 for a bad spec (faults.py)
    DELETE /_control/faults        200 {"removed": n}
    DELETE /_control/faults/<id>   200 {"removed": 0 or 1}  (idempotent: clean-up is safe)

A service adds its own control routes (a meldkamer's /_control/buffer) through `extra`.
None of these is ever faulted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mock_services.core.config import ServiceConfig
from mock_services.core.faults import AppFault, FaultError, FaultTable
from mock_services.core.http_server import Request, Response
from mock_services.core.stats import Stats

PREFIX = "/_control/"
FAULTS = "/_control/faults"


def is_control(path: str) -> bool:
    return path == "/health" or path.startswith(PREFIX)


async def control(
    request: Request,
    config: ServiceConfig,
    stats: Stats,
    faults: FaultTable,
    extra: Callable[[Request], Awaitable[Response | None]] | None = None,
) -> Response:
    path, method = request.path, request.method
    if path == "/health":
        if method != "GET":
            return _not_allowed()
        return Response.json(
            200,
            {"service": config.name, "kind": config.kind, "region": config.region, "status": "ok"},
        )
    if path == "/_control/stats":
        return Response.json(200, {"service": config.name, "counters": stats.snapshot()})
    if path == FAULTS:
        if method == "GET":
            return Response.json(200, {"faults": faults.to_json()})
        if method == "DELETE":
            return Response.json(200, {"removed": faults.clear()})
        return _not_allowed()
    if path.startswith(FAULTS + "/"):
        fault_id = path[len(FAULTS) + 1 :]
        if method == "PUT":
            try:
                fault = AppFault.from_json(request.json())
                faults.put(fault_id, fault)
            except FaultError as exc:
                return Response.json(400, {"error": str(exc)})
            stats.inc("control.fault_set")
            return Response.json(200, {"id": fault_id, "fault": fault.to_json()})
        if method == "DELETE":
            return Response.json(200, {"removed": int(faults.remove(fault_id))})
        return _not_allowed()
    if extra is not None and (answer := await extra(request)) is not None:
        return answer
    return Response.json(404, {"error": f"no control endpoint {path}"})


def _not_allowed() -> Response:
    return Response.json(405, {"error": "method not allowed"})
