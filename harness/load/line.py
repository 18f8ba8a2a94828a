"""A blocking client for line protocols over TCP: send one line, read one reply line.

One connection per user, kept alive; after any failure it is dropped and the next exchange
connects again, so a late reply can never answer the wrong request. The C2000 radio units
(c2000.py) and the generic `tcp:` traffic class both speak through it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from harness.load.transport import Connection, Connector, OperationFailed, peer_closed

MAX_LINE = 1024  # bytes, newline included (the C2000 protocol's limit, and ours for replies)


class LineClient:
    def __init__(self, connect: Connector, clock: Callable[[], float] = time.monotonic) -> None:
        self._connect = connect
        self._clock = clock
        self._conn: Connection | None = None
        self._buffer = b""

    def exchange(self, line: str, timeout: float) -> str:
        """Send one line, return the reply line; the whole exchange ends within `timeout`."""
        deadline = self._clock() + timeout
        try:
            if self._conn is not None and peer_closed(self._conn):
                self.close()
            if self._conn is None:
                self._conn = self._connect(timeout)
                self._buffer = b""
            self._conn.sendall(line.encode() + b"\n")
            return self._read_line(self._conn, deadline)
        except (OperationFailed, OSError):
            self.close()
            raise

    def _read_line(self, conn: Connection, deadline: float) -> str:
        while b"\n" not in self._buffer:
            if len(self._buffer) >= MAX_LINE:
                raise OperationFailed("protocol error: reply line too long")
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise TimeoutError
            conn.settimeout(remaining)
            data = conn.recv(4096)
            if not data:
                raise OperationFailed("connection closed by peer")
            self._buffer += data
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode("utf-8", errors="replace").rstrip("\r")

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(OSError):
                conn.close()
