"""radio-console-<region>: the meldkamer's radio console system.

`POST /dispatch {"talkgroup", "message"}` sends the message over C2000 (`MSG`) and answers
200; 503 when C2000 fails, or when police-ict fails where the topology makes the console
depend on it (the four 2020 regions).
"""

from __future__ import annotations

import re

from mock_services.core import policy
from mock_services.core.http_client import ensure_status
from mock_services.core.http_server import BadRequest, Request, Response
from mock_services.core.line_client import LineAnswerError
from mock_services.core.runtime import main
from mock_services.core.service import Routes, Service

TALKGROUP = re.compile(r"^[A-Za-z0-9._:/#+-]{1,64}$")
MAX_MESSAGE = 512  # bytes: with the command and talkgroup it stays within one C2000 line
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def dispatch_request(request: Request) -> tuple[str, str]:
    """The talkgroup and message of a dispatch; BadRequest when they are not usable."""
    body = request.json()
    if not isinstance(body, dict):
        raise BadRequest('expected {"talkgroup": ..., "message": ...}')
    talkgroup, message = body.get("talkgroup"), body.get("message")
    if not isinstance(talkgroup, str) or not TALKGROUP.match(talkgroup):
        raise BadRequest("talkgroup: 1-64 letters, digits or ._:/#+-")
    if not isinstance(message, str):
        raise BadRequest("message: a string")
    text = " ".join(message.split())  # one line on the radio network
    if not text or len(text.encode()) > MAX_MESSAGE or CONTROL.search(text):
        raise BadRequest(f"message: 1-{MAX_MESSAGE} bytes of printable text")
    return talkgroup, text


class RadioConsole(Service):
    kind = "radio-console"

    def routes(self) -> Routes:
        return {"/dispatch": {"POST": self.dispatch}}

    async def dispatch(self, request: Request) -> Response:
        talkgroup, message = dispatch_request(request)
        ict = self.config.dependency("police-ict")
        if ict is not None:
            client = self.http(ict)

            async def identity() -> None:
                ensure_status(await client.request("GET", "/api/identity/console"))

            try:
                await policy.call_optional(ict, identity, self.stats)
            except policy.DependencyFailed as exc:
                return Response.json(503, {"error": f"police-ict unavailable ({exc.reason})"})
        c2000 = self.config.dependency("c2000")
        if c2000 is None:
            return Response.json(503, {"error": "no C2000 link"})
        radio = self.line(c2000)

        async def send() -> None:
            if await radio.call(f"MSG {talkgroup} {message}") != "ACK":
                raise LineAnswerError("no ACK")

        try:
            await policy.call(c2000, send, self.stats)
        except policy.DependencyFailed as exc:
            return Response.json(503, {"error": f"C2000 unavailable ({exc.reason})"})
        self.stats.inc("dispatch.sent")
        return Response.json(200, {"talkgroup": talkgroup, "sent": True})


if __name__ == "__main__":
    main(RadioConsole)
