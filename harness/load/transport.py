"""What the SIP and C2000 clients need from a TCP connection, and how its failures read.

The clients are plain blocking code over this seam: in Locust the connections are gevent
sockets (cooperative), in unit tests scripted fakes, so the protocol logic is tested without
sockets. Every read and connect is bounded by the operation's deadline.
"""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable
from typing import Protocol


class Connection(Protocol):
    def sendall(self, data: bytes, /) -> None: ...
    def recv(self, size: int, flags: int = 0, /) -> bytes: ...
    def settimeout(self, value: float | None, /) -> None: ...
    def getsockname(self) -> tuple[str, int]: ...
    def close(self) -> None: ...


# Opens a connection to the entry within the given number of seconds.
Connector = Callable[[float], Connection]


class OperationFailed(Exception):
    """A request failed; the message is what the journal's `error` says."""


def tcp_connector(
    host: str, port: int, create: Callable[..., socket.socket] = socket.create_connection
) -> Connector:
    """A connector for `host:port`; pass gevent's `create_connection` in Locust processes."""

    def connect(timeout: float) -> Connection:
        sock = create((host, port), timeout=max(timeout, 0.001))
        # Requests are small and latency-bound: never let Nagle hold an ACK or BYE back.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    return connect


def peer_closed(conn: Connection) -> bool:
    """Whether the far end closed an idle kept-alive connection (a link that flapped while
    this user waited): peeking without blocking finds EOF or a reset. Checked before reuse,
    so a request is not failed for a connection that was already gone; pending data (the
    far end's own request) is left to be read."""
    conn.settimeout(0.0)
    try:
        return conn.recv(1, socket.MSG_PEEK) == b""
    except BlockingIOError:
        return False  # nothing to read: alive
    except OSError:
        return True


def describe(exc: BaseException) -> str:
    """A short, stable text for a transport failure (`connection refused`, `timeout`, ...)."""
    if isinstance(exc, OperationFailed):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError) and exc.errno is not None:
        return {
            errno.ECONNREFUSED: "connection refused",
            errno.ECONNRESET: "connection reset by peer",
            errno.EPIPE: "connection closed by peer",
        }.get(exc.errno, exc.strerror or type(exc).__name__)
    return str(exc) or type(exc).__name__
