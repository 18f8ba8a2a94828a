"""gms: the incident system (GMS/CAD), with a durable store.

    POST /incidents {"call_id", "region", "caller"} + Idempotency-Key
         201 {"id", "call_id", "enriched"} for a new incident, 200 with the same for a known key
    GET  /incidents/by-call[?call_id=X]   {"counts": {call_id: number of incidents}}

An incident is committed (SQLite WAL under data_dir) before it is acknowledged, so a kill -9
loses none that was answered; the key makes re-sends harmless. A police-ict lookup enriches
new incidents when the dependency exists: optional in the default topology, so a failing
police-ict costs at most its timeout and the incident is stored unenriched.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mock_services.core import policy
from mock_services.core.http_client import ensure_status
from mock_services.core.http_server import BadRequest, Request, Response
from mock_services.core.runtime import main
from mock_services.core.service import Routes, Service
from mock_services.core.store import open_database

MAX_FIELD = 256


@dataclass(frozen=True)
class Incident:
    id: int
    call_id: str
    enriched: bool

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "call_id": self.call_id, "enriched": self.enriched}


class IncidentStore:
    """Incidents by idempotency key, in SQLite (WAL) or in memory."""

    def __init__(self, path: Path | None) -> None:
        self.db = open_database(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS incidents (id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL,"
            " call_id TEXT NOT NULL, region TEXT, caller TEXT, enrichment TEXT, created REAL)"
        )
        self.db.execute("CREATE INDEX IF NOT EXISTS incidents_call ON incidents (call_id)")

    def find(self, key: str) -> Incident | None:
        row = self.db.execute(
            "SELECT id, call_id, enrichment IS NOT NULL FROM incidents WHERE key = ?", (key,)
        ).fetchone()
        return Incident(row[0], row[1], bool(row[2])) if row else None

    def register(
        self,
        key: str,
        call_id: str,
        region: str | None,
        caller: str | None,
        enrichment: dict[str, Any] | None,
    ) -> tuple[Incident, bool]:
        """Store the incident unless its key is known; (incident, True when new). Committed
        when this returns."""
        enriched = json.dumps(enrichment) if enrichment is not None else None
        row = self.db.execute(
            "INSERT INTO incidents (key, call_id, region, caller, enrichment, created)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id",
            (key, call_id, region, caller, enriched, time.time()),
        ).fetchone()
        if row is not None:
            return Incident(row[0], call_id, enrichment is not None), True
        known = self.find(key)
        assert known is not None  # the key was there before
        return known, False

    def counts_by_call(self, call_id: str | None = None) -> dict[str, int]:
        if call_id is not None:
            rows = self.db.execute(
                "SELECT call_id, count(*) FROM incidents WHERE call_id = ? GROUP BY call_id",
                (call_id,),
            )
        else:
            rows = self.db.execute("SELECT call_id, count(*) FROM incidents GROUP BY call_id")
        return dict(rows.fetchall())

    def close(self) -> None:
        self.db.close()


def _field(body: dict[str, Any], name: str, required: bool = False) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_FIELD:
        raise BadRequest(f"{name}: a string of 1-{MAX_FIELD} characters")
    return value


class Gms(Service):
    kind = "gms"

    async def setup(self) -> None:
        data_dir = self.config.data_dir
        self.store = IncidentStore(Path(data_dir) / "gms.sqlite" if data_dir else None)
        self.on_close(self.store.close)
        self.stats.gauge("incidents.stored", self._stored)

    def _stored(self) -> int:
        return int(self.store.db.execute("SELECT count(*) FROM incidents").fetchone()[0])

    def routes(self) -> Routes:
        return {"/incidents": {"POST": self.register}, "/incidents/by-call": {"GET": self.counts}}

    async def counts(self, request: Request) -> Response:
        counts = self.store.counts_by_call(request.query.get("call_id"))
        return Response.json(200, {"counts": counts})

    async def register(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        if not key or len(key) > 2 * MAX_FIELD:
            raise BadRequest("an Idempotency-Key header is required")
        body = request.json()
        if not isinstance(body, dict):
            raise BadRequest('expected {"call_id", "region", "caller"}')
        call_id = _field(body, "call_id", required=True)
        assert call_id is not None
        region, caller = _field(body, "region"), _field(body, "caller")
        known = self.store.find(key)
        if known is not None:  # a re-send: same answer, no second lookup
            self.stats.inc("incidents.repeated")
            return Response.json(200, known.to_json())
        try:
            enrichment = await self._enrich(caller)
        except policy.DependencyFailed as exc:  # police-ict made required by the topology
            return Response.json(503, {"error": f"police-ict unavailable ({exc.reason})"})
        try:
            incident, new = self.store.register(key, call_id, region, caller, enrichment)
        except sqlite3.Error as exc:
            return Response.json(503, {"error": f"store unavailable ({exc})"})
        self.stats.inc("incidents.new" if new else "incidents.repeated")
        return Response.json(201 if new else 200, incident.to_json())

    async def _enrich(self, caller: str | None) -> dict[str, Any] | None:
        ict = self.config.dependency("police-ict")
        if ict is None:
            return None
        client = self.http(ict)

        async def lookup() -> dict[str, Any]:
            reply = ensure_status(
                await client.request("GET", f"/api/caller/{quote(caller or 'anonymous', safe='')}")
            )
            found = reply.json()
            return found if isinstance(found, dict) else {"answer": found}

        return await policy.call_optional(ict, lookup, self.stats)


if __name__ == "__main__":
    main(Gms)
