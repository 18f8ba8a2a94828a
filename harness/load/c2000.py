"""A blocking client for the C2000 line protocol (docs/architecture.md): radio units keying up
(PTT -> GRANT) and sending status codes (STATUS -> ACK) on their region's talkgroup.

One connection per radio unit; after a failure it is dropped and the next request connects
again, so a late reply can never answer the wrong request.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from harness.load.transport import Connection, Connector, OperationFailed, peer_closed

MAX_LINE = 1024  # bytes, newline included (the protocol's limit)


def talkgroup(region: str | None) -> str:
    """Every region's units share one talkgroup (a regional dispatch group)."""
    return f"tg-{region or 'national'}"


class RadioUnit:
    def __init__(
        self, connect: Connector, unit: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._connect = connect
        self.unit = unit
        self._clock = clock
        self._conn: Connection | None = None
        self._buffer = b""

    def ptt(self, group: str, timeout: float) -> None:
        """Key up on `group`; raises OperationFailed unless the network grants it."""
        self._expect(f"PTT {group} {self.unit}", f"GRANT {group} {self.unit}", timeout)

    def status(self, code: int, timeout: float) -> None:
        """Send a status code (e.g. 2 = available); raises OperationFailed unless acknowledged."""
        self._expect(f"STATUS {self.unit} {code}", f"ACK {self.unit}", timeout)

    def _expect(self, request: str, reply: str, timeout: float) -> None:
        answer = self.exchange(request, timeout)
        if answer != reply:
            if answer.startswith("ERR"):
                raise OperationFailed(answer)
            raise OperationFailed(f"protocol error: unexpected reply {answer[:80]!r}")

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
