"""office: office automation. `GET /` works while police-ict answers (identity), else 503.

With a police-ict dependency that is not required, or whose fallback is `degrade`, a failed
lookup still gives 200 with `"degraded": true`.
"""

from __future__ import annotations

from mock_services.core import policy
from mock_services.core.http_client import ensure_status
from mock_services.core.http_server import Request, Response
from mock_services.core.runtime import main
from mock_services.core.service import Routes, Service


class Office(Service):
    kind = "office"

    def routes(self) -> Routes:
        return {"/": {"GET": self.start_page}}

    async def start_page(self, request: Request) -> Response:
        ict = self.config.dependency("police-ict")
        if ict is None:
            return Response.json(200, {"office": self.name, "status": "ok"})
        client = self.http(ict)

        async def identity() -> bool:
            ensure_status(await client.request("GET", "/api/identity/office-user"))
            return True

        try:
            known = await policy.call_optional(ict, identity, self.stats)
        except policy.DependencyFailed as exc:
            if ict.fallback != "degrade":
                return Response.json(503, {"error": f"police-ict unavailable ({exc.reason})"})
            known = None
        if known is None:
            return Response.json(200, {"office": self.name, "status": "ok", "degraded": True})
        return Response.json(200, {"office": self.name, "status": "ok"})


if __name__ == "__main__":
    main(Office)
