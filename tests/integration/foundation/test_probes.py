"""The health checks a stack file can name, against real sockets on 127.0.0.1: a TCP connect,
and a SIP OPTIONS that counts any final answer (after provisional ones) as up and silence,
garbage or a closed port as down."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from harness import procs
from harness.backends.probes import sip_options_ok, tcp_ok

Answer = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def against(answer: Answer, probe: Callable[[str, int, float], Awaitable[bool]]) -> bool:
    """Run `probe` against a server answering like `answer`; every connection is over and
    closed on both sides before the server goes."""
    handlers: list[asyncio.Task[None]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handlers.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await answer(reader, writer)
            await reader.read()  # until the probe hangs up
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        up = await probe("127.0.0.1", port, 1.0)
        await asyncio.gather(*handlers)
    return up


def sip(*answers: bytes) -> Answer:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readuntil(b"\r\n\r\n")
        assert request.startswith(b"OPTIONS sip:127.0.0.1:")
        for text in answers:
            writer.write(text)
        await writer.drain()

    return answer


def status(code: str, body: bytes = b"") -> bytes:
    return (
        f"SIP/2.0 {code}\r\nCSeq: 1 OPTIONS\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
    )


@pytest.mark.parametrize("final", ["200 OK", "404 Not Found", "483 Too Many Hops", "503 Busy"])
def test_any_final_sip_answer_after_provisional_ones_means_up(final: str) -> None:
    answer = sip(status("100 Trying"), status("180 Ringing", b"x" * 7), status(final))
    assert asyncio.run(against(answer, sip_options_ok))


def test_only_provisional_answers_or_garbage_mean_down() -> None:
    assert not asyncio.run(against(sip(status("100 Trying")), sip_options_ok))
    assert not asyncio.run(against(sip(b"HTTP/1.1 200 OK\r\n\r\n"), sip_options_ok))


def test_a_closed_port_is_down_for_both_checks() -> None:
    port = procs.free_port()
    assert not asyncio.run(sip_options_ok("127.0.0.1", port, 0.5))
    assert not asyncio.run(tcp_ok("127.0.0.1", port, 0.5))


def test_tcp_is_up_when_anything_accepts() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        return None

    assert asyncio.run(against(silent, tcp_ok))
