"""A small HTTP/1.1 server on h11: keep-alive, size limits, timeouts, JSON helpers.

One coroutine per connection reads a request, awaits the handler, writes the answer and goes
round again. Bad requests get h11's status (400, 431) or 413 and the connection closes; a
handler that raises gets 500 and the connection stays usable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import h11

from mock_services.core.stats import Stats

log = logging.getLogger(__name__)

MAX_HEADERS = 16 * 1024
MAX_BODY = 1024 * 1024
IDLE_TIMEOUT = 120.0  # seconds a kept-alive connection may wait for its next request
REQUEST_TIMEOUT = 10.0  # seconds a started request may take to arrive completely
READ_SIZE = 65536


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("the body is not JSON") from None


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json"

    @classmethod
    def json(cls, status: int, value: Any) -> Response:
        return cls(status, json.dumps(value).encode())


class BadRequest(Exception):
    """Raised by a handler for a request it cannot use: answered 400 with the message."""


class Hangup(Exception):
    """Raised by a handler to answer nothing: write `garbage` (if any) and close."""

    def __init__(self, garbage: bytes = b"") -> None:
        super().__init__("hang up")
        self.garbage = garbage


Handler = Callable[[Request], Awaitable[Response]]


class _TooLarge(Exception):
    pass


class HttpServer:
    def __init__(
        self,
        handler: Handler,
        stats: Stats,
        *,
        max_body: int = MAX_BODY,
        idle_timeout: float = IDLE_TIMEOUT,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.handler = handler
        self.stats = stats
        self.max_body = max_body
        self.idle_timeout = idle_timeout
        self.request_timeout = request_timeout
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self, sock: socket.socket) -> None:
        self._server = await asyncio.start_server(self.serve, sock=sock)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection, request after request, until either side closes."""
        self._writers.add(writer)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADERS)
        try:
            while True:
                request = await self._read(conn, reader)
                if request is None:
                    return
                response = await self._answer(request)
                if response is None:
                    return
                writer.write(_encode(conn, response))
                await writer.drain()
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return  # Connection: close, or a request body left unread
                conn.start_next_cycle()
        except Hangup as hangup:
            if hangup.garbage:
                writer.write(hangup.garbage)
        except h11.RemoteProtocolError as exc:
            self.stats.inc("http.bad_request")
            self._refuse(conn, writer, exc.error_status_hint, str(exc))
        except _TooLarge:
            self.stats.inc("http.too_large")
            self._refuse(conn, writer, 413, "request body too large")
        except (OSError, TimeoutError):
            pass  # the peer went away or stalled: nothing to answer
        except asyncio.CancelledError:
            # shutting down; ending normally, as Python 3.11's streams log a cancelled
            # connection handler as an error
            pass
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _read(self, conn: h11.Connection, reader: asyncio.StreamReader) -> Request | None:
        head: h11.Request | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                started = head is not None or bool(conn.trailing_data[0])
                async with asyncio.timeout(self.request_timeout if started else self.idle_timeout):
                    data = await reader.read(READ_SIZE)
                conn.receive_data(data)
            elif isinstance(event, h11.Request):
                # h11 bounds only headers still arriving; a complete block read at once can
                # be larger
                if len(event.target) + sum(len(n) + len(v) for n, v in event.headers) > MAX_HEADERS:
                    raise h11.RemoteProtocolError("headers too large", error_status_hint=431)
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > self.max_body:
                    raise _TooLarge
            elif isinstance(event, h11.EndOfMessage):
                assert head is not None
                return _request(head, bytes(body))
            else:  # ConnectionClosed (or PAUSED, which cannot happen before we answer)
                return None

    async def _answer(self, request: Request) -> Response | None:
        self.stats.inc("http.requests")
        try:
            return await self.handler(request)
        except Hangup:
            raise
        except BadRequest as exc:
            return Response.json(400, {"error": str(exc)})
        except Exception:  # a bug in one request must not take the connection down
            self.stats.inc("http.handler_error")
            log.exception("error handling %s %s", request.method, request.path)
            return Response.json(500, {"error": "internal error"})

    def _refuse(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, status: int, reason: str
    ) -> None:
        """Answer a request we cannot read, when the protocol state still allows an answer."""
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        body = json.dumps({"error": reason[:200]}).encode()
        headers = [
            ("content-type", "application/json"),
            ("content-length", str(len(body))),
            ("connection", "close"),
        ]
        # h11 refuses to talk to a peer it could not parse; speak HTTP/1.1 by hand
        with contextlib.suppress(OSError):
            writer.write(
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n".encode()
                + b"".join(f"{k}: {v}\r\n".encode() for k, v in headers)
                + b"\r\n"
                + body
            )


_REASONS = {400: "Bad Request", 413: "Content Too Large", 431: "Request Header Fields Too Large"}


def _phrase(status: int) -> bytes:
    try:
        return HTTPStatus(status).phrase.encode()
    except ValueError:
        return b""


def _request(head: h11.Request, body: bytes) -> Request:
    target = head.target.decode("latin-1")
    parts = urlsplit(target)
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in head.headers}
    return Request(
        method=head.method.decode("latin-1"),
        path=parts.path or "/",
        query=dict(parse_qsl(parts.query)),
        headers=headers,
        body=body,
    )


def _encode(conn: h11.Connection, response: Response) -> bytes:
    headers = [("content-type", response.content_type), ("content-length", str(len(response.body)))]
    return b"".join(
        conn.send(event) or b""
        for event in (
            h11.Response(
                status_code=response.status, headers=headers, reason=_phrase(response.status)
            ),
            h11.Data(data=response.body),
            h11.EndOfMessage(),
        )
    )
