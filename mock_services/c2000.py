"""c2000: the C2000 radio network. Separate infrastructure: it depends on nothing.

Speaks the line protocol of core/line.py on its `line` listener (one answer per line, in
order); `http` carries health and control. Faults: slow delays answers, garbage answers
bytes that are no line, drop closes the connection, each scoped by the command (`PTT`, ...).
"""

from __future__ import annotations

import asyncio
import socket

from mock_services.core import line
from mock_services.core.faults import GARBAGE
from mock_services.core.runtime import main
from mock_services.core.service import Service

STALL_TIMEOUT = 10.0  # seconds a started line may take to arrive completely


def respond(command: line.Command) -> str:
    verb, args = command.verb, command.args
    if verb == "PTT":
        return f"GRANT {args[0]} {args[1]}"
    if verb == "STATUS":
        return f"ACK {args[0]}"
    if verb == "MSG":
        return "ACK"
    return "PONG"


class C2000(Service):
    kind = "c2000"
    listeners = ("line", "http")

    async def serve(self, listener: str, sock: socket.socket) -> None:
        if listener != "line":
            await super().serve(listener, sock)
            return
        writers: set[asyncio.StreamWriter] = set()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writers.add(writer)
            try:
                await self._converse(reader, writer)
            except (OSError, TimeoutError):
                pass  # the radio went away or stalled
            except asyncio.CancelledError:
                pass  # shutting down (a cancelled handler is logged as an error by 3.11)
            finally:
                writers.discard(writer)
                writer.close()

        server = await asyncio.start_server(connection, sock=sock)

        def close() -> None:
            server.close()
            for writer in list(writers):
                writer.close()

        self.on_close(close)

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        framer = line.LineFramer()
        while True:
            if framer.pending:
                async with asyncio.timeout(STALL_TIMEOUT):
                    data = await reader.read(4096)
            else:
                data = await reader.read(4096)
            if not data:
                return
            try:
                lines = framer.feed(data)
            except line.LineTooLong:
                self.stats.inc("line.too_long")
                writer.write(line.encode("ERR too-long"))
                return
            for raw in lines:
                answer = await self._answer(raw)
                if answer is None:
                    return
                writer.write(answer)
            await writer.drain()

    async def _answer(self, raw: bytes) -> bytes | None:
        """The answer to one line; None to hang up (a drop fault)."""
        try:
            command = line.parse(raw)
        except line.LineError as exc:
            self.stats.inc("line.error")
            return line.encode(f"ERR {exc.reason}")
        self.stats.inc(f"line.{command.verb}")
        fault = await self.fault("line", ("line", command.verb))
        if fault is not None:
            return GARBAGE if fault.mode == "garbage" else None
        return line.encode(respond(command))


if __name__ == "__main__":
    main(C2000)
