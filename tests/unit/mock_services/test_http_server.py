"""The h11 server glue: keep-alive, error answers for bad input, never an escaped exception."""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.core.http_server import BadRequest, Hangup, HttpServer, Request, Response
from mock_services.core.stats import Stats
from tests.unit.mock_services.fakes import FakeWriter

GET = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"


async def echo(request: Request) -> Response:
    if request.path == "/boom":
        raise RuntimeError("bug")
    if request.path == "/bad":
        raise BadRequest("nope")
    if request.path == "/hangup":
        raise Hangup(b"junk")
    return Response.json(
        200,
        {
            "path": request.path,
            "query": request.query,
            "body": request.body.decode(errors="replace"),
        },
    )


def serve(data: bytes, **options: Any) -> tuple[bytes, bool]:
    """Run one connection over `data` (then EOF); the bytes answered and whether it closed."""

    async def run() -> FakeWriter:
        reader = asyncio.StreamReader()
        reader.feed_data(data)
        reader.feed_eof()
        writer = FakeWriter()
        server = HttpServer(echo, Stats(), **options)
        await asyncio.wait_for(server.serve(reader, writer), 5)  # type: ignore[arg-type]
        return writer

    writer = asyncio.run(run())
    return bytes(writer.written), writer.closed


def statuses(written: bytes) -> list[int]:
    return [int(part[:3]) for part in written.split(b"HTTP/1.1 ")[1:]]


def test_kept_alive_requests_are_answered_in_order_on_one_connection() -> None:
    body = b'{"a": 1}'
    post = b"POST /x?y=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\n" + body
    written, closed = serve(GET + post + GET)
    assert statuses(written) == [200, 200, 200]
    assert b'"query": {"y": "1"}' in written
    assert closed  # after the peer's EOF


def test_a_request_that_is_not_http_gets_400_and_a_close() -> None:
    written, closed = serve(b"\x00\xff garbage\r\n\r\n" + GET)
    assert statuses(written) == [400]
    assert closed


def test_oversized_headers_get_431() -> None:
    written, _ = serve(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 40000 + b"\r\n\r\n")
    assert statuses(written) == [431]


def test_an_oversized_body_gets_413_without_reading_it_all() -> None:
    written, closed = serve(
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3000\r\n\r\n" + b"a" * 3000, max_body=1000
    )
    assert statuses(written) == [413]
    assert closed


def test_a_handler_bug_gets_500_and_the_connection_keeps_serving() -> None:
    written, _ = serve(b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
    assert statuses(written) == [500, 200]


def test_a_bad_request_raised_by_the_handler_gets_400_with_its_message() -> None:
    written, _ = serve(b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
    assert statuses(written) == [400, 200]
    assert b"nope" in written


def test_a_hangup_writes_its_garbage_and_closes() -> None:
    written, closed = serve(b"GET /hangup HTTP/1.1\r\nHost: x\r\n\r\n" + GET)
    assert written == b"junk"
    assert closed


def test_connection_close_is_honoured() -> None:
    written, closed = serve(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + GET)
    assert statuses(written) == [200]
    assert closed


def test_a_truncated_request_gets_400_and_no_handler_runs() -> None:
    written, closed = serve(b"POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    assert statuses(written) == [400]
    assert closed


def test_a_client_that_stalls_mid_request_is_cut_off() -> None:
    async def run() -> FakeWriter:
        reader = asyncio.StreamReader()
        reader.feed_data(b"GET / HTTP/1.1\r\nHo")  # and nothing more, no EOF
        writer = FakeWriter()
        server = HttpServer(echo, Stats(), request_timeout=0.05)
        await asyncio.wait_for(server.serve(reader, writer), 5)  # type: ignore[arg-type]
        return writer

    writer = asyncio.run(run())
    assert writer.closed and writer.written == b""


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_get_answers_or_a_close_never_an_exception(data: bytes) -> None:
    written, closed = serve(data)
    assert closed
    for status in statuses(written):
        assert status in (200, 400, 413, 431, 500)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, len(GET) - 1))
def test_a_request_cut_anywhere_gets_nothing_or_400(cut: int) -> None:
    written, closed = serve(GET[:cut])
    assert statuses(written) in ([], [400])
    assert closed
