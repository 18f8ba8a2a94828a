"""A SIP connection hands on good messages and answers or drops bad input, never crashing."""

from __future__ import annotations

import asyncio

from aiosipua import SipMessage
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.core.sip_codec import Message
from mock_services.core.sip_framing import SipFramer
from mock_services.core.sip_transport import SipConnection
from mock_services.core.stats import Stats
from tests.unit.mock_services.fakes import FakeTransport

OPTIONS = (
    b"OPTIONS sip:telephony@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
    b"From: <sip:a@h>;tag=1\r\nTo: <sip:t@h>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def feed(chunks: list[bytes]) -> tuple[list[Message], FakeTransport, Stats]:
    """Feed `chunks` to a connection inside an event loop; what it delivered and wrote."""
    received: list[Message] = []
    stats = Stats()

    async def run() -> FakeTransport:
        conn = SipConnection(lambda _, m: received.append(m), stats, stall_timeout=60)
        transport = FakeTransport()
        conn.connection_made(transport)
        for chunk in chunks:
            if transport.closed:
                break
            conn.data_received(chunk)
        await asyncio.sleep(0)  # let the write coalescing flush
        conn.connection_lost(None)
        return transport

    transport = asyncio.run(run())
    return received, transport, stats


def answers(transport: FakeTransport) -> list[int]:
    """The status of every message written, read back with the same framing."""
    messages = SipFramer().feed(bytes(transport.written))
    return [int(m.split(b" ", 2)[1]) for m in messages]


def test_well_formed_messages_are_handed_on_in_order() -> None:
    received, transport, _ = feed([OPTIONS + OPTIONS[:30], OPTIONS[30:]])
    assert len(received) == 2
    assert not transport.closed


def test_a_malformed_request_gets_400_and_the_connection_keeps_serving() -> None:
    bad = OPTIONS.replace(b"CSeq: 1 OPTIONS\r\n", b"")
    received, transport, stats = feed([bad, OPTIONS])
    assert answers(transport) == [400]
    assert len(received) == 1
    assert not transport.closed
    assert stats["sip.bad_message"] == 1


def test_a_message_over_the_size_limit_gets_400_and_the_connection_closes() -> None:
    huge = b"OPTIONS sip:x SIP/2.0\r\nContent-Length: 10000000\r\n\r\n"
    received, transport, stats = feed([huge, OPTIONS])
    assert received == []
    assert answers(transport) == [400]
    assert transport.closed
    assert stats["sip.bad_framing"] == 1


def test_a_bad_response_is_dropped_silently() -> None:
    received, transport, _ = feed([b"SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n", OPTIONS])
    assert len(received) == 1
    assert transport.written == b""


def test_a_handler_that_fails_costs_only_its_own_message() -> None:
    stats = Stats()
    seen: list[Message] = []

    def handler(_: SipConnection, message: Message) -> None:
        seen.append(message)
        if len(seen) == 1:
            raise RuntimeError("bug")

    async def run() -> None:
        conn = SipConnection(handler, stats)
        conn.connection_made(FakeTransport())
        conn.data_received(OPTIONS + OPTIONS)
        conn.connection_lost(None)

    asyncio.run(run())
    assert len(seen) == 2
    assert stats["sip.handler_error"] == 1


def test_what_is_written_in_one_turn_of_the_loop_leaves_in_one_write() -> None:
    writes: list[bytes] = []

    class Recording(FakeTransport):
        def write(self, data: bytes | bytearray | memoryview) -> None:
            writes.append(bytes(data))

    async def run() -> None:
        conn = SipConnection(lambda _, m: None, Stats())
        conn.connection_made(Recording())
        conn.write(b"one")
        conn.write(b"two")
        await asyncio.sleep(0)
        conn.write(b"three")
        await asyncio.sleep(0)

    asyncio.run(run())
    assert writes == [b"onetwo", b"three"]


def test_a_peer_that_never_finishes_a_message_is_cut_off() -> None:
    stats = Stats()

    async def run() -> FakeTransport:
        conn = SipConnection(lambda _, m: None, stats, stall_timeout=0.01)
        transport = FakeTransport()
        conn.connection_made(transport)
        conn.data_received(OPTIONS[:20])
        await asyncio.sleep(0.05)
        return transport

    assert asyncio.run(run()).closed
    assert stats["sip.stalled"] == 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=400), max_size=12))
def test_any_bytes_give_messages_400s_or_a_close_never_an_exception(chunks: list[bytes]) -> None:
    _, transport, _ = feed(chunks)
    assert set(answers(transport)) <= {400}


@settings(max_examples=100, deadline=None)
@given(st.integers(1, len(OPTIONS) - 1), st.binary(max_size=50))
def test_a_truncated_message_followed_by_noise_never_crashes_the_connection(
    cut: int, noise: bytes
) -> None:
    received, transport, _ = feed([OPTIONS[:cut] + noise, b"\r\n\r\n", OPTIONS])
    assert all(isinstance(m, SipMessage) for m in received)
    assert set(answers(transport)) <= {400}


def test_a_client_connection_drops_100_trying_unread_and_keeps_other_answers() -> None:
    received: list[Message] = []
    trying = (
        b"SIP/2.0 100 Trying\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\nCall-ID: c1\r\n"
        b"CSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    )

    async def run() -> None:
        conn = SipConnection(lambda _, m: received.append(m), Stats(), skip_trying=True)
        conn.connection_made(FakeTransport())
        conn.data_received(trying + trying.replace(b"100 Trying", b"180 Ringing"))

    asyncio.run(run())
    assert [m.status_code for m in received] == [180]  # type: ignore[union-attr]
