"""SIP messages in and out: what the codec accepts, and the answers it builds."""

from __future__ import annotations

import contextlib

import pytest
from aiosipua import SipMessage, SipRequest, SipResponse
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.core import sip_codec
from mock_services.core.sip_codec import SipDecodeError, decode

INVITE = (
    b"INVITE sip:112@127.0.0.1:5060 SIP/2.0\r\n"
    b"Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKcaller\r\n"
    b'From: "Ann" <sip:ann@10.0.0.1>;tag=ann1\r\n'
    b"To: <sip:112@127.0.0.1>\r\n"
    b"Call-ID: call-1@10.0.0.1\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"X-Caller-Region: rotterdam\r\n"
    b"Content-Length: 0\r\n\r\n"
)


def invite() -> SipRequest:
    message = decode(INVITE)
    assert isinstance(message, SipRequest)
    return message


def test_a_well_formed_request_decodes() -> None:
    request = invite()
    assert request.method == "INVITE"
    assert sip_codec.cseq(request) == (7, "INVITE")
    assert sip_codec.top_branch(request) == "z9hG4bKcaller"


@pytest.mark.parametrize("header", ["Via", "From", "To", "Call-ID", "CSeq"])
def test_a_request_without_a_mandatory_header_is_refused(header: str) -> None:
    lines = [line for line in INVITE.split(b"\r\n") if not line.startswith(header.encode() + b":")]
    with pytest.raises(SipDecodeError, match="missing"):
        decode(b"\r\n".join(lines))


def test_a_cseq_naming_another_method_is_refused() -> None:
    with pytest.raises(SipDecodeError, match="CSeq"):
        decode(INVITE.replace(b"7 INVITE", b"7 BYE"))


def test_a_response_needs_a_status_code_and_a_branch() -> None:
    with pytest.raises(SipDecodeError):
        decode(b"SIP/2.0 abc OK\r\nVia: x;branch=1\r\nCSeq: 1 INVITE\r\nCall-ID: 1\r\n\r\n")
    with pytest.raises(SipDecodeError, match="branch"):
        decode(b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP h\r\nCSeq: 1 INVITE\r\nCall-ID: 1\r\n\r\n")


def test_an_answer_copies_the_transaction_headers_and_tags_the_to() -> None:
    answer = sip_codec.response_to(invite(), 200, to_tag="mk1", extra={"X-Answered-By": "mk"})
    assert answer.status_code == 200 and answer.reason_phrase == "OK"
    assert answer.get_header("To") == "<sip:112@127.0.0.1>;tag=mk1"
    assert answer.get_header("CSeq") == "7 INVITE"
    assert answer.get_header("X-Answered-By") == "mk"
    again = decode(bytes(answer))
    assert isinstance(again, SipResponse) and again.call_id == "call-1@10.0.0.1"


def test_a_proxy_via_goes_on_top_and_comes_off_again() -> None:
    request = invite()
    sip_codec.push_via(request, "SIP/2.0/TCP proxy;branch=z9hG4bKproxy")
    assert sip_codec.top_branch(request) == "z9hG4bKproxy"
    assert len(request.get_header_values("Via")) == 2
    sip_codec.pop_via(request)
    assert request.get_header_values("Via") == ["SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bKcaller"]


def test_branches_and_tags_are_unique_and_rfc3261_branches_start_with_the_magic_cookie() -> None:
    branches = {sip_codec.new_branch() for _ in range(1000)}
    assert len(branches) == 1000
    assert all(b.startswith("z9hG4bK") for b in branches)
    assert sip_codec.new_tag() != sip_codec.new_tag()


@pytest.mark.parametrize(
    ("value", "user"),
    [('"Ann" <sip:ann@h>;tag=1', "ann"), ("sip:bob@h;tag=2", "bob"), ("<sip:h>", ""), ("", "")],
)
def test_the_user_of_an_address(value: str, user: str) -> None:
    assert sip_codec.address_user(value) == user


def test_garbage_gets_a_bare_400_but_a_response_or_an_ack_gets_nothing() -> None:
    answer = sip_codec.reject(b"\x00\xffnot sip\r\n\r\n", "unparseable")
    assert answer is not None and answer.startswith(b"SIP/2.0 400 ")
    assert sip_codec.reject(b"SIP/2.0 200 OK\r\n\r\n", "x") is None
    assert sip_codec.reject(b"ACK sip:x SIP/2.0\r\n\r\n", "x") is None


def test_a_request_missing_headers_gets_a_400_that_echoes_what_it_had() -> None:
    raw = b"INVITE sip:112@x SIP/2.0\r\nCall-ID: only-this\r\n\r\n"
    answer = sip_codec.reject(raw, "missing via")
    assert answer is not None
    parsed = SipMessage.parse(answer)
    assert isinstance(parsed, SipResponse) and parsed.status_code == 400
    assert parsed.call_id == "only-this"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_decoding_any_bytes_gives_a_message_or_a_decode_error_never_another_exception(
    raw: bytes,
) -> None:
    with contextlib.suppress(SipDecodeError):
        decode(raw)
    answer = sip_codec.reject(raw, "any")
    assert answer is None or answer.startswith(b"SIP/2.0 400")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_valid_request_with_any_part_cut_off_decodes_or_is_refused_cleanly(
    data: st.DataObject,
) -> None:
    cut = data.draw(st.integers(0, len(INVITE)))
    try:
        message = decode(INVITE[:cut])
    except SipDecodeError:
        return
    assert isinstance(message, SipRequest)
