"""The client side of the C2000 line protocol: one request line, one answer line.

The protocol has no request ids, so each pooled connection carries one request at a time; a
request that is cancelled or fails closes its connection, so a late answer can never be read
as the answer to the next request.
"""

from __future__ import annotations

import asyncio

from mock_services.core.line import MAX_LINE, encode
from mock_services.core.policy import DependencyError


class LineAnswerError(DependencyError):
    """The answer was ERR, not a line at all, or the connection closed before it."""


class LineClient:
    def __init__(self, host: str, port: int, *, max_idle: int = 4) -> None:
        self.host, self.port = host, port
        self.max_idle = max_idle
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def call(self, line: str) -> str:
        """Send one command line; return the answer line. Raises OSError or LineAnswerError."""
        if "\n" in line or len(encode(line)) > MAX_LINE:
            raise ValueError("one line of at most 1024 bytes")
        for _ in range(2):  # a second time only when a pooled connection was stale
            reused = bool(self._idle)
            reader, writer = self._idle.pop() if reused else await self._open()
            try:
                writer.write(encode(line))
                await writer.drain()
                raw = await reader.readline()
            except ValueError:  # an answer line longer than the limit
                writer.close()
                raise LineAnswerError("answer too long") from None
            except OSError:
                writer.close()
                if reused:
                    self.close()
                    continue
                raise
            except BaseException:
                writer.close()
                raise
            if not raw and reused:  # the server closed it while it sat in the pool
                writer.close()
                self.close()
                continue
            return self._answer(raw, reader, writer)
        raise LineAnswerError("connection closed before the answer")

    def _answer(
        self, raw: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> str:
        if not raw.endswith(b"\n"):
            writer.close()
            raise LineAnswerError("connection closed before the answer")
        answer = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if len(self._idle) < self.max_idle:
            self._idle.append((reader, writer))
        else:
            writer.close()
        if answer.startswith("ERR"):
            raise LineAnswerError(answer)
        return answer

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port, limit=MAX_LINE * 2)

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()
