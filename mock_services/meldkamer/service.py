"""The meldkamer service: answering, incident registration with its buffer, dispatch.

HTTP API (its `http` listener):
    POST /dispatch {"incident", "unit"}  200 {"via": "console" | "radio-sets"}, 503 when neither
    GET  /_control/buffer                {"pending": n} incidents not yet acknowledged by GMS

Settings: `answer_delay` (seconds between 180 and 200), `flush_interval` (seconds between
flush rounds while GMS fails), `talkgroup` (default tg-<region>), and the room's call-takers
(`positions`, `queue`, `handling`: call_takers.py), unbounded unless the topology sets them.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from mock_services.core import policy
from mock_services.core.call_centre import CallCentre
from mock_services.core.config import Dependency
from mock_services.core.http_client import ensure_status
from mock_services.core.http_server import BadRequest, Request, Response
from mock_services.core.line_client import LineAnswerError
from mock_services.core.service import Routes
from mock_services.core.sip_refusal import Refusal
from mock_services.core.sip_uas import IncomingCall
from mock_services.meldkamer.buffer import IncidentBuffer
from mock_services.meldkamer.call_takers import BUSY_WARNING, Busy, CallTakers, Room

FLUSH_BATCH = 32  # incidents re-sent concurrently per flush round
_UNIT = re.compile(r"^[A-Za-z0-9._:/#+-]{1,64}$")


class Meldkamer(CallCentre):
    kind = "meldkamer"

    async def setup(self) -> None:
        data_dir = self.config.data_dir
        self.buffer = IncidentBuffer(Path(data_dir) / "buffer.sqlite" if data_dir else None)
        self.on_close(self.buffer.close)
        self.stats.gauge("incidents.pending", lambda: len(self.buffer))
        self._flush_now = asyncio.Event()
        self.talkgroup = str(
            self.config.settings.get("talkgroup") or f"tg-{self.config.region or self.name}"
        )
        gms = self.config.dependency("gms")
        if gms is not None:
            self.spawn(self._flush_forever(gms))
        self.call_takers = CallTakers(Room.from_settings(self.config.settings))
        self.on_close(self.call_takers.close)
        self.stats.gauge("call_takers.busy", lambda: self.call_takers.busy)
        self.stats.gauge("call_takers.waiting", lambda: self.call_takers.waiting)

    # --- call-takers -------------------------------------------------------------------------

    def screens_calls(self) -> bool:
        return super().screens_calls() or self.call_takers.room.bounded

    async def admit(self, call: IncomingCall) -> int | Refusal | None:
        """A free call-taker first (waiting in the queue for one), then the usual checks."""
        if not self.call_takers.room.bounded:
            return await super().admit(call)
        try:
            await self.call_takers.take()
        except Busy:
            self.stats.inc("calls.busy")
            return Refusal(503, BUSY_WARNING)
        try:
            refusal = await super().admit(call)
        except BaseException:  # cancelled by the caller: the call-taker is free again
            self.call_takers.release()
            raise
        if refusal is None:
            self.call_takers.answered()
        else:
            self.call_takers.release()
        return refusal

    # --- incidents ---------------------------------------------------------------------------

    def established(self, call: IncomingCall) -> None:
        incident = {
            "call_id": call.call_id,
            "region": call.caller_region or self.config.region,
            "caller": call.caller or None,
        }
        self.spawn(self._register(incident))

    def key(self, call_id: str) -> str:
        return f"{self.name}:{call_id}"

    async def _register(self, incident: dict[str, Any]) -> None:
        gms = self.config.dependency("gms")
        if gms is None:
            self.stats.inc("incidents.no_gms")
            return
        key = self.key(incident["call_id"])
        try:
            await policy.call(gms, lambda: self._post(gms, key, incident), self.stats)
        except policy.DependencyFailed:
            if gms.fallback != "buffer":
                self.stats.inc("incidents.lost")
                return
            self.buffer.add(key, incident)
            self.stats.inc("incidents.buffered")
            self._flush_now.set()
            return
        self.stats.inc("incidents.registered")

    async def _post(self, gms: Dependency, key: str, incident: dict[str, Any]) -> None:
        reply = await self.http(gms).request(
            "POST", "/incidents", json_body=incident, headers={"Idempotency-Key": key}
        )
        ensure_status(reply, 200, 201)

    async def _flush_forever(self, gms: Dependency) -> None:
        """Re-send buffered incidents until GMS acknowledges each (its key makes a re-send of
        one it already has harmless): `flush_interval` after one was buffered (it has just
        failed), then round after round, pausing again after a failed one."""
        interval = self.setting("flush_interval", 0.5)
        while True:
            if not len(self.buffer):
                self._flush_now.clear()
                await self._flush_now.wait()
                await asyncio.sleep(interval)
            batch = self.buffer.oldest(FLUSH_BATCH)
            done = await asyncio.gather(*(self._flush(gms, k, i) for k, i in batch))
            if not all(done):
                await asyncio.sleep(interval)

    async def _flush(self, gms: Dependency, key: str, incident: dict[str, Any]) -> bool:
        try:
            await policy.call(gms, lambda: self._post(gms, key, incident), self.stats)
        except policy.DependencyFailed:
            return False
        self.buffer.remove(key)
        self.stats.inc("incidents.flushed")
        return True

    async def control_extra(self, request: Request) -> Response | None:
        if request.path == "/_control/buffer" and request.method == "GET":
            return Response.json(200, {"pending": len(self.buffer)})
        return None

    # --- dispatch ----------------------------------------------------------------------------

    def routes(self) -> Routes:
        return {"/dispatch": {"POST": self.dispatch}}

    async def dispatch(self, request: Request) -> Response:
        incident, unit = _dispatch(request)
        message = f"incident {incident} unit {unit}"
        failures: dict[str, str] = {}
        console = self.config.dependency("radio-console", self.config.region)
        if console is not None:
            try:
                await policy.call(console, lambda: self._console(console, message), self.stats)
            except policy.DependencyFailed as exc:
                failures["console"] = exc.reason
            else:
                self.stats.inc("dispatch.console")
                return Response.json(200, {"via": "console"})
        radio_sets = console is None or console.fallback == "radio-sets"
        c2000 = self.config.dependency("c2000")
        if radio_sets and c2000 is not None:
            try:
                await policy.call(c2000, lambda: self._radio_sets(c2000, message), self.stats)
            except policy.DependencyFailed as exc:
                failures["radio-sets"] = exc.reason
            else:
                self.stats.inc("dispatch.radio_sets")
                return Response.json(200, {"via": "radio-sets"})
        self.stats.inc("dispatch.failed")
        return Response.json(503, {"error": "no radio path", "failures": failures})

    async def _console(self, console: Dependency, message: str) -> None:
        reply = await self.http(console).request(
            "POST", "/dispatch", json_body={"talkgroup": self.talkgroup, "message": message}
        )
        ensure_status(reply)

    async def _radio_sets(self, c2000: Dependency, message: str) -> None:
        if await self.line(c2000).call(f"MSG {self.talkgroup} {message}") != "ACK":
            raise LineAnswerError("no ACK")


def _dispatch(request: Request) -> tuple[str, str]:
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest('expected {"incident": ..., "unit": ...}')
    incident, unit = body.get("incident"), body.get("unit")
    if isinstance(incident, int) and not isinstance(incident, bool):
        incident = str(incident)
    if not isinstance(incident, str) or not _UNIT.match(incident):
        raise BadRequest("incident: 1-64 letters, digits or ._:/#+-")
    if not isinstance(unit, str) or not _UNIT.match(unit):
        raise BadRequest("unit: 1-64 letters, digits or ._:/#+-")
    return incident, unit
