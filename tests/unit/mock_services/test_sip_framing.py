"""Cutting a TCP byte stream into SIP messages (RFC 3261 §18.3)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.core.sip_framing import FramingError, SipFramer, content_length

INVITE = (
    b"INVITE sip:112@127.0.0.1 SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
    b"Call-ID: a@b\r\nCSeq: 1 INVITE\r\nContent-Length: 5\r\n\r\nhello"
)
BYE = b"BYE sip:112@127.0.0.1 SIP/2.0\r\nCall-ID: a@b\r\nCSeq: 2 BYE\r\nl: 0\r\n\r\n"


def test_a_complete_message_comes_out_whole_with_its_body() -> None:
    assert SipFramer().feed(INVITE) == [INVITE]


def test_messages_in_one_read_come_out_one_by_one() -> None:
    assert SipFramer().feed(INVITE + BYE + INVITE) == [INVITE, BYE, INVITE]


def test_a_message_split_across_reads_comes_out_once_complete() -> None:
    framer = SipFramer()
    assert framer.feed(INVITE[:40]) == []
    assert framer.pending
    assert framer.feed(INVITE[40:-2]) == []
    assert framer.feed(INVITE[-2:]) == [INVITE]
    assert not framer.pending


def test_crlf_keepalives_between_messages_are_skipped() -> None:
    assert SipFramer().feed(b"\r\n\r\n" + BYE + b"\r\n" + BYE) == [BYE, BYE]


def test_a_message_without_content_length_has_no_body() -> None:
    head = b"OPTIONS sip:x SIP/2.0\r\nCall-ID: 1\r\n\r\n"
    assert SipFramer().feed(head + b"OPTIONS") == [head]


def test_the_compact_form_l_is_a_content_length() -> None:
    assert content_length(b"BYE sip:x SIP/2.0\r\nl: 12\r\n") == 12


@pytest.mark.parametrize(
    "header",
    [
        b"Content-Length: x",
        b"Content-Length: -1",
        b"Content-Length: 1e3",
        b"Content-Length: 99999999999",
    ],
)
def test_a_content_length_that_is_not_a_small_number_loses_the_framing(header: bytes) -> None:
    with pytest.raises(FramingError):
        SipFramer().feed(b"BYE sip:x SIP/2.0\r\n" + header + b"\r\n\r\n")


def test_conflicting_content_lengths_lose_the_framing() -> None:
    with pytest.raises(FramingError):
        SipFramer().feed(b"BYE sip:x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\n")


def test_a_header_block_larger_than_the_limit_is_refused_before_it_ends() -> None:
    framer = SipFramer(max_size=1000)
    with pytest.raises(FramingError, match="header"):
        framer.feed(b"INVITE sip:x SIP/2.0\r\n" + b"X: " + b"a" * 2000)


def test_a_body_larger_than_the_limit_is_refused_without_waiting_for_it() -> None:
    with pytest.raises(FramingError, match="too large"):
        SipFramer(max_size=1000).feed(b"INVITE sip:x SIP/2.0\r\nContent-Length: 5000\r\n\r\n")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=300), max_size=20))
def test_any_bytes_give_messages_or_a_framing_error_and_never_grow_past_the_limit(
    chunks: list[bytes],
) -> None:
    framer = SipFramer(max_size=512)
    try:
        for chunk in chunks:
            for message in framer.feed(chunk):
                assert len(message) <= 512
                assert b"\r\n\r\n" in message
    except FramingError:
        return


@st.composite
def valid_messages(draw: st.DrawFn) -> bytes:
    body = draw(st.binary(max_size=200))
    name = draw(st.sampled_from([b"Content-Length", b"content-length", b"l", b"CONTENT-LENGTH"]))
    return (
        b"MESSAGE sip:x SIP/2.0\r\nCall-ID: "
        + str(draw(st.integers(0, 10**6))).encode()
        + b"\r\n"
        + name
        + b": "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(valid_messages(), min_size=1, max_size=8), st.data())
def test_valid_messages_split_anywhere_come_out_exactly_as_sent(
    messages: list[bytes], data: st.DataObject
) -> None:
    stream = b"".join(messages)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    framer = SipFramer()
    out: list[bytes] = []
    start = 0
    for cut in [*cuts, len(stream)]:
        out.extend(framer.feed(stream[start:cut]))
        start = cut
    assert out == messages
