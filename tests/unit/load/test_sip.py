"""The SIP caller: one call = INVITE -> final, ACK, hold, BYE; every failure becomes a result."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aiosipua.message import SipMessage, SipRequest, SipResponse
from hypothesis import given
from hypothesis import strategies as st

from harness.load.recorder import MAX_ERROR
from harness.load.sip import CallResult, SipCaller, SipFailure, SipStream
from tests.unit.load.fakes import FakeClock, ScriptedConnection

HOST, PORT = "127.0.0.1", 5060


def response(request: SipRequest, status: str, **extra: str) -> bytes:
    code, _, reason = status.partition(" ")
    msg = SipResponse(status_code=int(code), reason_phrase=reason)
    for name in ("Via", "From", "Call-ID", "CSeq"):
        for value in request.get_header_values(name):
            msg.add_header(name, value)
    to = request.get_header("To") or ""
    msg.set_header("To", to if int(code) < 200 or ";tag=" in to else f"{to};tag=uas1")
    for name, value in extra.items():
        msg.set_header(name.replace("_", "-"), value)
    return bytes(msg)


def uas(
    clock: FakeClock,
    invite: tuple[str, ...] = ("100 Trying", "180 Ringing", "200 OK"),
    bye: str | None = "200 OK",
    setup: float = 0.0,
    **extra: str,
) -> Callable[[bytes], list[bytes]]:
    """A scripted UAS: answers INVITE with `invite` (after `setup` seconds) and BYE with `bye`."""

    def respond(data: bytes) -> list[bytes]:
        return [reply for raw in SipStream().feed(data) for reply in answer(SipMessage.parse(raw))]

    def answer(request: SipMessage) -> list[bytes]:
        if not isinstance(request, SipRequest):
            return []  # the caller answering a request of ours
        if request.method == "INVITE":
            clock.now += setup
            return [response(request, s, **(extra if s.startswith("2") else {})) for s in invite]
        if request.method == "BYE" and bye is not None:
            return [response(request, bye)]
        return []

    return respond


class Harness:
    """A SipCaller wired to scripted connections; counts how often it connected."""

    def __init__(self, respond: Callable[[FakeClock], Callable[[bytes], list[bytes]]]) -> None:
        self.clock = FakeClock()
        self.connections: list[ScriptedConnection] = []
        self.slept: list[float] = []
        self.respond = respond(self.clock)

        def connect(timeout: float) -> ScriptedConnection:
            conn = ScriptedConnection(self.respond, self.clock)
            self.connections.append(conn)
            return conn

        def sleep(seconds: float) -> None:
            self.slept.append(seconds)
            self.clock.sleep(seconds)

        self.caller = SipCaller(
            connect, HOST, PORT, user="caller-x", clock=self.clock, wall=lambda: 5.0, sleep=sleep
        )

    def call(self, **kwargs: float) -> CallResult:
        return self.caller.call("112", "rotterdam", **kwargs)

    @property
    def sent(self) -> list[SipRequest]:
        return [r for conn in self.connections for r in conn.requests()]


def test_an_answered_call_sends_invite_ack_bye_and_reports_who_answered() -> None:
    h = Harness(lambda c: uas(c, setup=0.25, X_Answered_By="meldkamer-rotterdam"))
    result = h.call(timeout=2.0)
    assert result.ok
    assert result.error is None
    assert result.status == 200
    assert result.answered_by == "meldkamer-rotterdam"
    assert result.latency == pytest.approx(0.25)
    assert result.start == 5.0
    invite, ack, bye = h.sent
    assert [invite.method, ack.method, bye.method] == ["INVITE", "ACK", "BYE"]
    assert invite.uri == f"sip:112@{HOST}:{PORT}"
    assert invite.get_header("X-Caller-Region") == "rotterdam"
    assert invite.call_id == ack.call_id == bye.call_id == result.call_id
    assert (ack.get_header("CSeq"), bye.get_header("CSeq")) == ("1 ACK", "2 BYE")
    assert ack.get_header("To") == bye.get_header("To") == "<sip:112@127.0.0.1>;tag=uas1"


def test_without_a_hold_the_ack_and_bye_leave_in_one_write() -> None:
    h = Harness(uas)
    assert h.call().ok
    assert len(h.connections[0].sent) == 2  # INVITE; ACK + BYE


def test_the_ack_and_bye_go_to_the_contact_of_the_200() -> None:
    h = Harness(lambda c: uas(c, Contact="<sip:meldkamer@10.0.0.7:5070;transport=tcp>"))
    assert h.call().ok
    _, ack, bye = h.sent
    assert ack.uri == bye.uri == "sip:meldkamer@10.0.0.7:5070;transport=tcp"


def test_an_ack_to_a_2xx_is_a_new_transaction_and_to_a_failure_reuses_the_invite_branch() -> None:
    h = Harness(uas)
    h.call()
    invite, ack, _ = h.sent
    assert ack.via[0].branch != invite.via[0].branch

    h = Harness(lambda c: uas(c, invite=("486 Busy Here",)))
    h.call()
    invite, ack = h.sent
    assert ack.via[0].branch == invite.via[0].branch


@pytest.mark.parametrize("status", ["486 Busy Here", "503 Service Unavailable", "603 Decline"])
def test_a_final_non_2xx_answer_is_a_failure_with_its_status_and_reason(status: str) -> None:
    h = Harness(lambda c: uas(c, invite=("100 Trying", status)))
    result = h.call()
    assert not result.ok
    assert result.error == status
    assert result.status == int(status[:3])
    assert [r.method for r in h.sent] == ["INVITE", "ACK"]  # no BYE: there is no dialog


def refusing(clock: FakeClock, **why: str) -> Callable[[bytes], list[bytes]]:
    """A scripted UAS refusing every INVITE with 503 and the given headers (Warning, Reason)."""

    def respond(data: bytes) -> list[bytes]:
        requests = (SipMessage.parse(raw) for raw in SipStream().feed(data))
        return [
            response(r, "503 Service Unavailable", **why)
            for r in requests
            if isinstance(r, SipRequest) and r.method == "INVITE"
        ]

    return respond


def test_a_refusal_keeps_the_warning_that_says_which_dependency_failed() -> None:
    warning = '399 meldkamer-rotterdam "police-ict unreachable: connection refused"'
    result = Harness(lambda c: refusing(c, Warning=warning)).call()
    assert result.error == f"503 Service Unavailable; Warning: {warning}"


def test_without_a_warning_a_refusal_keeps_its_reason() -> None:
    reason = 'SIP ;cause=503 ;text="gms failed: HTTP 500"'
    result = Harness(lambda c: refusing(c, Reason=reason)).call()
    assert result.error == f"503 Service Unavailable; Reason: {reason}"


def test_a_long_warning_is_cut_to_what_the_journal_keeps() -> None:
    warning = '399 meldkamer-rotterdam "' + "police-ict unreachable " * 20 + '"'
    result = Harness(lambda c: refusing(c, Warning=warning)).call()
    assert result.error is not None and len(result.error) == MAX_ERROR
    assert result.error.startswith("503 Service Unavailable; Warning: 399 meldkamer-rotterdam")


def test_no_answer_fails_after_the_timeout_and_the_next_call_connects_again() -> None:
    h = Harness(lambda c: uas(c, invite=("100 Trying",)))
    result = h.call(timeout=1.5)
    assert not result.ok
    assert result.error == "timeout: no final answer to INVITE"
    assert result.latency == pytest.approx(1.5)
    assert h.connections[0].closed
    h.call(timeout=1.5)
    assert len(h.connections) == 2


def test_calls_share_one_connection_while_it_works() -> None:
    h = Harness(uas)
    for _ in range(3):
        assert h.call().ok
    assert len(h.connections) == 1
    assert len({r.call_id for r in h.sent}) == 3


def test_a_caller_connected_ahead_makes_its_first_call_on_that_connection() -> None:
    h = Harness(uas)
    assert h.caller.connect(timeout=2.0)
    assert len(h.connections) == 1 and not h.sent  # connected, nothing dialled yet
    assert h.call().ok
    assert len(h.connections) == 1


def test_connecting_ahead_to_a_refusing_far_end_leaves_it_to_the_first_call() -> None:
    def refuse(timeout: float) -> ScriptedConnection:
        raise ConnectionRefusedError(111, "Connection refused")

    caller = SipCaller(refuse, HOST, PORT, clock=FakeClock())
    assert caller.connect(timeout=2.0) is False  # no exception: the user still starts
    assert caller.call("112", "rotterdam").error == "connection refused"


def test_a_refused_connection_fails_the_call_at_once() -> None:
    clock = FakeClock()

    def refuse(timeout: float) -> ScriptedConnection:
        raise ConnectionRefusedError(111, "Connection refused")

    result = SipCaller(refuse, HOST, PORT, clock=clock).call("112", "rotterdam")
    assert not result.ok
    assert result.error == "connection refused"
    assert result.latency == 0.0
    assert result.status is None


def test_a_far_end_that_closes_mid_call_is_reported_as_closed() -> None:
    clock = FakeClock()
    conn = ScriptedConnection(lambda data: [], clock)
    conn.eof = True
    result = SipCaller(lambda t: conn, HOST, PORT, clock=clock).call("112", None)
    assert (result.ok, result.error) == (False, "connection closed by peer")


def test_hold_time_passes_between_ack_and_bye() -> None:
    h = Harness(uas)
    assert h.call(hold=3.0).ok
    assert h.slept == [3.0]
    assert len(h.connections[0].sent) == 3  # INVITE; ACK; BYE after the hold


def test_a_failed_hang_up_keeps_the_call_answered_and_notes_the_failure() -> None:
    h = Harness(lambda c: uas(c, bye=None))
    result = h.call(timeout=1.0)
    assert result.ok
    assert result.error == "answered, then BYE failed: timeout: no final answer to BYE"
    assert h.connections[0].closed


def test_answers_to_other_calls_and_provisional_answers_are_passed_over() -> None:
    clock = FakeClock()

    def respond(data: bytes) -> list[bytes]:
        request = SipMessage.parse(data)
        assert isinstance(request, SipRequest)
        if request.method != "INVITE":
            return [response(request, "200 OK")] if request.method == "BYE" else []
        stray = SipRequest(method="INVITE", uri="sip:x")
        for name in ("Via", "From", "To", "CSeq"):
            stray.set_header(name, request.get_header(name) or "")
        stray.set_header("Call-ID", "someone-else")
        return [
            response(stray, "503 Service Unavailable"),
            response(request, "100 Trying"),
            response(request, "200 OK"),
        ]

    result = SipCaller(lambda t: ScriptedConnection(respond, clock), HOST, PORT, clock=clock).call(
        "112", None
    )
    assert result.ok


def test_a_bye_or_options_from_the_far_end_is_answered_with_200() -> None:
    clock = FakeClock()
    conn: ScriptedConnection

    def respond(data: bytes) -> list[bytes]:
        request = SipMessage.parse(data)
        if not isinstance(request, SipRequest) or request.method != "INVITE":
            return []
        options = SipRequest(method="OPTIONS", uri="sip:caller@127.0.0.1")
        for name in ("Via", "From", "To", "Call-ID"):
            options.set_header(name, request.get_header(name) or "")
        options.set_header("CSeq", "7 OPTIONS")
        return [bytes(options), response(request, "486 Busy Here")]

    conn = ScriptedConnection(respond, clock)
    SipCaller(lambda t: conn, HOST, PORT, clock=clock).call("112", None)
    answers = [SipMessage.parse(d) for d in conn.sent]
    replies = [m for m in answers if isinstance(m, SipResponse)]
    assert [(r.status_code, r.get_header("CSeq")) for r in replies] == [(200, "7 OPTIONS")]


def test_garbage_from_the_far_end_is_a_protocol_error() -> None:
    clock = FakeClock()
    conn = ScriptedConnection(lambda data: [b"\x00\x01garbage\r\n\r\n"], clock)
    result = SipCaller(lambda t: conn, HOST, PORT, clock=clock).call("112", None)
    assert not result.ok
    assert result.error is not None and result.error.startswith("protocol error")


def test_an_endless_header_is_a_protocol_error_not_a_memory_leak() -> None:
    stream = SipStream(limit=1024)
    with pytest.raises(SipFailure, match="too long"):
        stream.feed(b"SIP/2.0 200 OK\r\nX: " + b"a" * 2000)


def rewrite_200(old: bytes, new: bytes) -> Callable[[FakeClock], Callable[[bytes], list[bytes]]]:
    """A UAS like `uas` whose 200 OKs have `old` replaced by `new` on the wire."""

    def respond(clock: FakeClock) -> Callable[[bytes], list[bytes]]:
        plain = uas(clock)

        def edited(data: bytes) -> list[bytes]:
            return [r.replace(old, new) if r.startswith(b"SIP/2.0 200") else r for r in plain(data)]

        return edited

    return respond


def test_a_folded_header_line_that_mentions_content_length_does_not_frame_the_answer() -> None:
    # " Content-Length: 40" continues the Subject line (RFC 3261 §7.3.1); the real one says 0
    h = Harness(
        rewrite_200(b"\r\nCall-ID:", b"\r\nSubject: see\r\n Content-Length: 40\r\nCall-ID:")
    )
    result = h.call(timeout=1.0)
    assert (result.ok, result.error) == (True, None)


@pytest.mark.parametrize(
    "content_length",
    [b"Content-Length: 0\r\nContent-Length: 30", b"Content-Length: 1_0", b"Content-Length: +0"],
    ids=["conflicting", "underscore", "signed"],
)
def test_a_doubtful_content_length_is_a_protocol_error_not_a_guess(content_length: bytes) -> None:
    h = Harness(rewrite_200(b"Content-Length: 0", content_length + b"\r\nX-Pad: 0123456789" * 3))
    result = h.call(timeout=1.0)
    assert not result.ok
    assert result.error is not None and result.error.startswith("protocol error")
    assert "Content-Length" in result.error
    assert h.connections[0].closed  # the stream's framing is lost: never reuse it


@pytest.mark.parametrize("chunk", [1, 7, 65536])
def test_answers_cut_into_any_reads_or_sharing_one_read_make_the_same_call(chunk: int) -> None:
    clock = FakeClock()
    conns: list[ScriptedConnection] = []

    def connect(timeout: float) -> ScriptedConnection:
        conns.append(ScriptedConnection(uas(clock), clock, chunk=chunk))
        return conns[-1]

    caller = SipCaller(connect, HOST, PORT, clock=clock)
    results = [caller.call("112", "rotterdam") for _ in range(3)]
    assert [(r.ok, r.status, r.error) for r in results] == [(True, 200, None)] * 3
    assert len(conns) == 1  # nothing left over from one call spoils the next


@st.composite
def messages_in_chunks(draw: st.DrawFn) -> tuple[list[bytes], list[bytes]]:
    bodies = draw(st.lists(st.binary(max_size=300), min_size=1, max_size=5))
    messages = [
        f"SIP/2.0 200 OK\r\nCall-ID: c{i}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        for i, body in enumerate(bodies)
    ]
    wire = b"\r\n".join(messages)  # keep-alive CRLFs between some messages
    cuts = sorted(draw(st.lists(st.integers(0, len(wire)), max_size=10)))
    chunks = [wire[a:b] for a, b in zip([0, *cuts], [*cuts, len(wire)], strict=True)]
    return messages, chunks


@given(messages_in_chunks())
def test_the_stream_yields_whole_messages_however_tcp_splits_them(
    case: tuple[list[bytes], list[bytes]],
) -> None:
    messages, chunks = case
    stream = SipStream()
    assert [m for chunk in chunks for m in stream.feed(chunk)] == messages


def test_a_connection_the_far_end_closed_while_idle_is_replaced_before_the_next_call() -> None:
    h = Harness(uas)
    assert h.call().ok
    h.connections[0].eof = True  # e.g. the link flapped between two calls of this user
    result = h.call()
    assert result.ok
    assert len(h.connections) == 2
    assert h.connections[0].closed


def test_an_idle_connection_with_a_request_waiting_is_kept() -> None:
    h = Harness(uas)
    assert h.call().ok
    options = SipRequest(method="OPTIONS", uri="sip:caller@127.0.0.1")
    for name, value in (
        ("Via", "SIP/2.0/TCP x;branch=z9hG4bK1"),
        ("From", "<sip:t>;tag=1"),
        ("To", "<sip:c>"),
        ("Call-ID", "probe"),
        ("CSeq", "1 OPTIONS"),
    ):
        options.set_header(name, value)  # fmt: skip
    h.connections[0].inbox += bytes(options)
    assert h.call().ok
    assert len(h.connections) == 1
    replies = [SipMessage.parse(d) for d in h.connections[0].sent]
    assert any(isinstance(m, SipResponse) and m.call_id == "probe" for m in replies)


@given(st.binary(max_size=2000))
def test_whatever_the_far_end_sends_the_call_ends_with_a_result(garbage: bytes) -> None:
    clock = FakeClock()
    conn = ScriptedConnection(lambda data: [garbage] if b"INVITE" in data[:6] else [], clock)
    result = SipCaller(lambda t: conn, HOST, PORT, clock=clock).call("112", None, timeout=1.0)
    assert isinstance(result, CallResult)
    assert result.ok is False
    assert result.latency <= 1.0


def test_a_call_to_any_request_uri_puts_it_in_the_request_line_and_to_header() -> None:
    h = Harness(lambda c: uas(c, invite=("486 Busy Here",)))
    result = h.caller.call("", "rotterdam", timeout=2.0, uri="sip:112@sip-router")
    assert (result.ok, result.status, result.error) == (False, 486, "486 Busy Here")
    invite, ack = h.sent
    assert invite.uri == "sip:112@sip-router"
    assert invite.get_header("To") == "<sip:112@sip-router>"
    assert ack.method == "ACK"
