"""A keep-alive HTTP/1.1 client on h11 for one link's proxy.

Idle connections are pooled and reused, so a steady flow of requests costs no connection
set-up. A request that is cancelled (the policy's timeout) or fails closes its connection:
a half-read answer can never be mistaken for the next one. A pooled connection the server
already closed is noticed before any answer byte and the request is sent again on a new one.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import h11

from mock_services.core.policy import DependencyError

MAX_HEADERS = 16 * 1024
MAX_BODY = 1024 * 1024
READ_SIZE = 65536


class HttpError(DependencyError):
    """The answer could not be read: connection closed early, not HTTP, too large."""


class _Stale(Exception):
    """A reused connection turned out closed before any answer byte."""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            raise HttpError("answer is not JSON") from None


def ensure_status(reply: Reply, *accepted: int) -> Reply:
    """The reply when its status is one of `accepted` (default 200); else a DependencyError."""
    if reply.status not in (accepted or (200,)):
        raise HttpError(f"HTTP {reply.status}")
    return reply


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEADERS)

    @property
    def reusable(self) -> bool:
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: h11.Request, body: bytes, reused: bool) -> Reply:
        out = [
            self.h11.send(request),
            self.h11.send(h11.Data(data=body)) if body else b"",
            self.h11.send(h11.EndOfMessage()),
        ]
        try:
            self.writer.write(b"".join(part or b"" for part in out))
            await self.writer.drain()
        except OSError:
            if reused:
                raise _Stale from None
            raise
        head: h11.Response | None = None
        data = bytearray()
        received = False
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                if reused and not received:
                    raise _Stale from None
                raise HttpError(f"bad answer: {exc}") from None
            if event is h11.NEED_DATA:
                try:
                    chunk = await self.reader.read(READ_SIZE)
                except OSError:
                    if reused and not received:
                        raise _Stale from None
                    raise
                received = received or bool(chunk)
                self.h11.receive_data(chunk)
            elif isinstance(event, h11.InformationalResponse):
                continue
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                data += event.data
                if len(data) > MAX_BODY:
                    raise HttpError("answer too large")
            elif isinstance(event, h11.EndOfMessage):
                assert head is not None
                headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in head.headers}
                return Reply(head.status_code, bytes(data), headers)
            else:  # ConnectionClosed before the answer
                if reused and not received:
                    raise _Stale
                raise HttpError("connection closed before the answer")


class HttpClient:
    """At most `max_connections` connections to the peer: beyond that, requests wait for a
    free one (their wait counts against the caller's timeout) instead of opening and closing
    a connection each, which under load costs more than the requests themselves."""

    def __init__(self, host: str, port: int, *, max_connections: int = 16) -> None:
        self.host, self.port = host, port
        self._free = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._host_header = f"{host}:{port}"

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """One request; raises OSError (connect/transport) or HttpError. Cancel-safe."""
        body = b"" if json_body is None else json.dumps(json_body).encode()
        fields = [("host", self._host_header), ("content-length", str(len(body)))]
        if json_body is not None:
            fields.append(("content-type", "application/json"))
        fields.extend((headers or {}).items())
        async with self._free:
            return await self._exchange(
                h11.Request(method=method, target=path, headers=fields), body
            )

    async def _exchange(self, request: h11.Request, body: bytes) -> Reply:
        for _ in range(2):  # a second time only when a pooled connection was stale
            conn, reused = (self._idle.pop(), True) if self._idle else (await self._open(), False)
            try:
                reply = await conn.exchange(request, body, reused)
            except _Stale:
                conn.close()
                self.close()  # the server went away: every pooled connection is stale too
                continue
            except BaseException:
                conn.close()
                raise
            if conn.reusable:
                conn.h11.start_next_cycle()
                self._idle.append(conn)
            else:
                conn.close()
            return reply
        raise HttpError("connection closed before the answer")

    async def _open(self) -> _Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port, limit=READ_SIZE)
        return _Connection(reader, writer)

    def close(self) -> None:
        for conn in self._idle:
            conn.close()
        self._idle.clear()
