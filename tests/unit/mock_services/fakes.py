"""Socket-free stand-ins for the unit tests: a transport that records what is written."""

from __future__ import annotations

import asyncio
from typing import Any


class FakeTransport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += bytes(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class FakeWriter:
    """Stands in for asyncio.StreamWriter: collects what the server writes."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.closed = False

    def write(self, data: bytes) -> None:
        self.written += data

    async def drain(self) -> None:
        if self.closed:
            raise ConnectionResetError

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


class FakeSipConnection:
    """Stands in for a SipConnection: records what is sent on it."""

    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.raw: list[bytes] = []
        self.closed = False

    def send(self, message: Any) -> bool:
        self.sent.append(message)
        return not self.closed

    def write(self, data: bytes) -> bool:
        self.raw.append(data)
        return not self.closed

    def statuses(self) -> list[int]:
        return [m.status_code for m in self.sent]
