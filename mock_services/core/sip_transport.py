"""SIP over TCP connections, either side: framing, decoding, bad input, back-pressure.

Built on asyncio protocols rather than streams: a connection carries many calls at once and
every message is handled as it arrives, with no task or copy per read.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable, Mapping

from aiosipua import SipRequest, SipResponse

from mock_services.core.sip_codec import Message, SipDecodeError, decode, reject, response_to
from mock_services.core.sip_framing import MAX_MESSAGE, FramingError, SipFramer
from mock_services.core.stats import Stats

log = logging.getLogger(__name__)

STALL_TIMEOUT = 10.0  # seconds a started message may take to arrive completely
MAX_BACKLOG = 1 << 20  # bytes queued for a peer that does not read; beyond it we hang up


class SipConnection(asyncio.Protocol):
    """Hands every well-formed message to `on_message`. Malformed ones get a 400 (or nothing
    when they were responses); when the framing is lost the connection closes."""

    def __init__(
        self,
        on_message: Callable[[SipConnection, Message], None],
        stats: Stats,
        *,
        on_lost: Callable[[SipConnection], None] | None = None,
        max_size: int = MAX_MESSAGE,
        stall_timeout: float = STALL_TIMEOUT,
        skip_trying: bool = False,
    ) -> None:
        self._on_message = on_message
        self.skip_trying = skip_trying  # drop 100 Trying unread (a client that needs none)
        self._on_lost = on_lost
        self.stats = stats
        self._framer = SipFramer(max_size)
        self._stall_timeout = stall_timeout
        self._stall: asyncio.TimerHandle | None = None
        self.transport: asyncio.Transport | None = None
        self._outbox: list[bytes] = []
        self.closed = False
        self.local = "127.0.0.1:0"

    # --- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if isinstance(sock, socket.socket):
            host, port = sock.getsockname()[:2]
            self.local = f"{host}:{port}"

    def data_received(self, data: bytes) -> None:
        try:
            frames = self._framer.feed(data)
        except FramingError as exc:
            self.stats.inc("sip.bad_framing")
            self.write(bytes(SipResponse(status_code=400, reason_phrase=f"Bad Request ({exc})")))
            self.close()
            return
        for raw in frames:
            if self.closed:
                return
            self._handle(raw)
        self._watch_stall(progress=bool(frames))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._stall is not None:
            self._stall.cancel()
        if self._on_lost is not None:
            self._on_lost(self)

    # --- sending -----------------------------------------------------------------------------

    def send(self, message: Message) -> bool:
        return self.write(bytes(message))

    def write(self, data: bytes) -> bool:
        """Queue bytes for the peer; False when the connection is gone.

        Everything written during one turn of the event loop leaves in one send: a system
        call (and a wake-up of the peer, here Toxiproxy) per message would cost more than
        all the SIP parsing."""
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            return False
        if not self._outbox:
            asyncio.get_running_loop().call_soon(self._flush)
        self._outbox.append(data)
        return True

    def _flush(self) -> None:
        transport = self.transport
        data = b"".join(self._outbox)
        self._outbox.clear()
        if self.closed or transport is None or transport.is_closing():
            return
        transport.write(data)
        if transport.get_write_buffer_size() > MAX_BACKLOG:
            self.stats.inc("sip.peer_not_reading")
            self.close()

    def close(self) -> None:
        """Close after what was written so far has been sent."""
        if self._outbox:
            self._flush()
        self.closed = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    # --- internals ---------------------------------------------------------------------------

    def _handle(self, raw: bytes) -> None:
        if self.skip_trying and raw.startswith(b"SIP/2.0 100 "):
            return  # hop by hop only, and over TCP nothing is retransmitted: nothing to do
        try:
            message = decode(raw)
        except SipDecodeError as exc:
            self.stats.inc("sip.bad_message")
            answer = reject(raw, str(exc))
            if answer is not None:
                self.write(answer)
            return
        try:
            self._on_message(self, message)
        except Exception:  # a bug in one message's handling must not take the others down
            self.stats.inc("sip.handler_error")
            log.exception("error handling a SIP message")

    def _watch_stall(self, progress: bool) -> None:
        """A peer that starts a message and never finishes it is cut off (slowloris)."""
        if progress and self._stall is not None:
            self._stall.cancel()
            self._stall = None
        if self._framer.pending and self._stall is None and not self.closed:
            loop = asyncio.get_running_loop()
            self._stall = loop.call_later(self._stall_timeout, self._stalled)
        elif not self._framer.pending and self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _stalled(self) -> None:
        self._stall = None
        if self._framer.pending:
            self.stats.inc("sip.stalled")
            self.close()


Handler = Callable[["SipConnection", SipRequest], None]


def serve_request(
    conn: SipConnection, message: Message, stats: Stats, handlers: Mapping[str, Handler]
) -> None:
    """Hand a request to its method's handler. A response nobody asked for is only counted; an
    unknown method gets 501 (an ACK never gets an answer)."""
    if not isinstance(message, SipRequest):
        stats.inc("sip.stray_response")
        return
    stats.inc(f"sip.in.{message.method}")
    handler = handlers.get(message.method)
    if handler is not None:
        handler(conn, message)
    elif message.method != "ACK":
        conn.send(response_to(message, 501))


class SipServer:
    """Accepts SIP connections on a listening socket and tracks them for shutdown."""

    def __init__(
        self,
        on_message: Callable[[SipConnection, Message], None],
        stats: Stats,
        on_lost: Callable[[SipConnection], None] | None = None,
    ) -> None:
        self._on_message = on_message
        self._on_lost = on_lost
        self.stats = stats
        self.connections: set[SipConnection] = set()
        self._server: asyncio.Server | None = None

    async def start(self, sock: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._connection, sock=sock)

    def _connection(self) -> SipConnection:
        self.stats.inc("sip.connections")
        conn = SipConnection(self._on_message, self.stats, on_lost=self._lost)
        self.connections.add(conn)
        return conn

    def _lost(self, conn: SipConnection) -> None:
        self.connections.discard(conn)
        if self._on_lost is not None:
            self._on_lost(conn)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for conn in list(self.connections):
            conn.close()
