"""A scripted, socket-free stand-in for a TCP connection to a server, with a fake clock."""

from __future__ import annotations

import socket
from collections.abc import Callable

from aiosipua.message import SipMessage, SipRequest

from harness.load.sip import SipStream


class FakeClock:
    """Monotonic time that moves only when a test (or a timed-out read) moves it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class ScriptedConnection:
    """Whatever is sent is parsed and handed to `respond`, whose bytes are then readable.
    A read with nothing to read times out: the clock jumps by the read timeout."""

    def __init__(
        self,
        respond: Callable[[bytes], list[bytes]],
        clock: FakeClock,
        chunk: int = 65536,
    ) -> None:
        self.respond = respond
        self.clock = clock
        self.chunk = chunk
        self.sent: list[bytes] = []
        self.inbox = bytearray()
        self.timeout: float | None = None
        self.closed = False
        self.eof = False

    def sendall(self, data: bytes, /) -> None:
        if self.closed:
            raise BrokenPipeError(32, "Broken pipe")
        self.sent.append(data)
        for reply in self.respond(data):
            self.inbox += reply

    def recv(self, size: int, flags: int = 0, /) -> bytes:
        if flags & socket.MSG_PEEK:
            if self.inbox:
                return bytes(self.inbox[:size])
            if self.eof:
                return b""
            raise BlockingIOError(11, "Resource temporarily unavailable")
        if not self.inbox:
            if self.eof:
                return b""
            self.clock.now += self.timeout or 0.0
            raise TimeoutError("timed out")
        n = min(size, self.chunk)
        out = bytes(self.inbox[:n])
        del self.inbox[:n]
        return out

    def settimeout(self, value: float | None, /) -> None:
        self.timeout = value

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", 40000)

    def close(self) -> None:
        self.closed = True

    def requests(self) -> list[SipRequest]:
        # one write may carry more than one message (the caller sends ACK and BYE together)
        parsed = [SipMessage.parse(raw) for data in self.sent for raw in SipStream().feed(data)]
        return [m for m in parsed if isinstance(m, SipRequest)]
