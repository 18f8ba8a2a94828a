"""police-ict: the shared police ICT core (identity, directory, network services).

It depends on nothing; it is what flaps in the September 2020 replay. `GET /api/<anything>`
answers 200 with a small JSON document: `/api/identity/<user>`, `/api/directory/<name>`,
`/api/caller/<number>` and any other path under /api/.
"""

from __future__ import annotations

from typing import Any

from mock_services.core.http_server import Request, Response
from mock_services.core.runtime import main
from mock_services.core.service import Routes, Service


class PoliceIct(Service):
    kind = "police-ict"

    def routes(self) -> Routes:
        return {"/api/*": {"GET": self.lookup}}

    async def lookup(self, request: Request) -> Response:
        self.stats.inc("api.lookups")
        section, _, key = request.path[len("/api/") :].partition("/")
        return Response.json(
            200, {"service": self.name, "path": request.path, "result": answer(section, key)}
        )


def answer(section: str, key: str) -> dict[str, Any]:
    if section == "identity":
        return {"user": key, "authenticated": True}
    if section == "directory":
        return {"name": key, "unit": "police", "reachable": True}
    if section == "caller":
        return {"caller": key, "known": False}
    return {"ok": True}


if __name__ == "__main__":
    main(PoliceIct)
