"""The SIP client side of a link: a few long-lived TCP connections to the link's proxy,
shared by every call.

Requests go out round-robin over the connections; each response finds its transaction by the
branch of the top Via (which this client adds) and the CSeq method, since a CANCEL shares its
INVITE's branch. When a connection breaks, every transaction waiting on it is told at once
(handler called with None) so a caller can re-route without waiting for a timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiosipua import SipRequest, SipResponse

from mock_services.core import sip_codec
from mock_services.core.sip_codec import Message
from mock_services.core.sip_transport import SipConnection
from mock_services.core.stats import Stats

# Called with each response; with None when no response can come any more (connection lost,
# or the transaction outlived TRANSACTION_TTL).
ResponseHandler = Callable[[SipResponse | None], None]

TRANSACTION_TTL = 32.0  # RFC 3261 Timer B (64*T1): after this no answer is coming


@dataclass
class _Transaction:
    conn: SipConnection
    handler: ResponseHandler
    started: float


class SipClient:
    def __init__(
        self,
        name: str,
        host: str,
        port: int,
        stats: Stats,
        *,
        via_host: str = "127.0.0.1",
        connections: int = 2,
        connect_timeout: float = 1.0,
    ) -> None:
        self.name = name
        self.host, self.port = host, port
        self.stats = stats
        self.via_host = via_host
        self.connect_timeout = connect_timeout
        self._slots: list[SipConnection | None] = [None] * max(connections, 1)
        self._connecting: list[asyncio.Task[SipConnection] | None] = [None] * len(self._slots)
        self._next = 0
        self._transactions: dict[tuple[str, str], _Transaction] = {}
        self._sweeper: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()

    async def send(
        self,
        request: SipRequest,
        on_response: ResponseHandler | None = None,
        *,
        branch: str | None = None,
        prefer: SipConnection | None = None,
    ) -> SipConnection:
        """Send `request` with our Via on top, on `prefer` while it lives (the requests of one
        dialog keep their order that way); returns the connection used. Raises OSError or
        TimeoutError when no connection can be made."""
        conn = _alive(prefer) or self._ready() or await self._connection()
        self._send_on(conn, request, on_response, branch)
        return conn

    def send_soon(
        self,
        request: SipRequest,
        on_response: ResponseHandler | None = None,
        *,
        branch: str | None = None,
        prefer: SipConnection | None = None,
    ) -> None:
        """Send without waiting (an ACK, a CANCEL, a BYE nobody waits for): at once on a live
        connection, else once one is made; a failure to connect is only counted."""
        conn = _alive(prefer) or self._ready()
        if conn is not None:
            try:
                self._send_on(conn, request, on_response, branch)
            except ConnectionResetError:
                self.stats.inc(f"sip.client.{self.name}.send_failed")
            return
        task = asyncio.ensure_future(self._send_later(request, on_response, branch))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send_later(
        self, request: SipRequest, on_response: ResponseHandler | None, branch: str | None
    ) -> None:
        try:
            await self.send(request, on_response, branch=branch)
        except (OSError, TimeoutError):
            self.stats.inc(f"sip.client.{self.name}.send_failed")

    def _send_on(
        self,
        conn: SipConnection,
        request: SipRequest,
        on_response: ResponseHandler | None,
        branch: str | None,
    ) -> None:
        branch = branch or sip_codec.new_branch()
        sip_codec.push_via(request, f"SIP/2.0/TCP {self.via_host};branch={branch}")
        if on_response is not None:
            key = (branch, request.method)
            self._transactions[key] = _Transaction(conn, on_response, time.monotonic())
            self._schedule_sweep()
        if not conn.send(request):
            self._transactions.pop((branch, request.method), None)
            raise ConnectionResetError(f"connection to {self.name} lost")

    def close(self) -> None:
        for pending in list(self._background):
            pending.cancel()
        for task in self._connecting:
            if task is not None:
                task.cancel()
        for conn in self._slots:
            if conn is not None:
                conn.close()
        if self._sweeper is not None:
            self._sweeper.cancel()

    # --- connections -------------------------------------------------------------------------

    def _ready(self) -> SipConnection | None:
        """The next live connection, round-robin; None when that slot has none yet."""
        conn = self._slots[self._next]
        if conn is None or conn.closed:
            return None
        self._next = (self._next + 1) % len(self._slots)
        return conn

    async def _connection(self) -> SipConnection:
        slot = self._next
        self._next = (self._next + 1) % len(self._slots)
        conn = self._slots[slot]
        if conn is not None and not conn.closed:
            return conn
        task = self._connecting[slot]
        if task is None:  # one connect per slot, shared by everyone who needs it meanwhile
            task = asyncio.ensure_future(self._connect(slot))
            task.add_done_callback(_retrieve)  # its waiters may all have timed out already
            self._connecting[slot] = task
        return await asyncio.shield(task)

    async def _connect(self, slot: int) -> SipConnection:
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.connect_timeout):
                _, conn = await loop.create_connection(
                    lambda: SipConnection(
                        self._on_message, self.stats, on_lost=self._lost, skip_trying=True
                    ),
                    self.host,
                    self.port,
                )
        except (OSError, TimeoutError):
            self.stats.inc(f"sip.client.{self.name}.connect_failed")
            raise
        finally:
            self._connecting[slot] = None
        self.stats.inc(f"sip.client.{self.name}.connected")
        self._slots[slot] = conn
        return conn

    def _lost(self, conn: SipConnection) -> None:
        self._slots = [None if c is conn else c for c in self._slots]
        broken = [key for key, txn in self._transactions.items() if txn.conn is conn]
        for key in broken:
            txn = self._transactions.pop(key)
            txn.handler(None)

    # --- incoming ----------------------------------------------------------------------------

    def _on_message(self, conn: SipConnection, message: Message) -> None:
        if isinstance(message, SipRequest):  # the callee asking something: not in this subset
            if message.method != "ACK":
                conn.send(sip_codec.response_to(message, 501))
            return
        branch = sip_codec.top_branch(message)
        _, method = sip_codec.cseq(message)
        key = (branch or "", method)
        txn = self._transactions.get(key)
        if txn is None:
            self.stats.inc("sip.stray_response")
            return
        if message.status_code >= 200:
            del self._transactions[key]
        txn.handler(message)

    def _schedule_sweep(self) -> None:
        if self._sweeper is None:
            loop = asyncio.get_running_loop()
            self._sweeper = loop.call_later(1.0, self._sweep)

    def _sweep(self) -> None:
        self._sweeper = None
        oldest = time.monotonic() - TRANSACTION_TTL
        expired = [key for key, txn in self._transactions.items() if txn.started < oldest]
        for key in expired:
            self._transactions.pop(key).handler(None)
        if self._transactions:
            self._schedule_sweep()


def _retrieve(task: asyncio.Task[SipConnection]) -> None:
    if not task.cancelled():
        task.exception()


def _alive(conn: SipConnection | None) -> SipConnection | None:
    return conn if conn is not None and not conn.closed else None
