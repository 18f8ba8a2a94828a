"""A small blocking SIP user agent client (UAC) over TCP for the caller traffic classes.

One `SipCaller` per Locust user: one TCP connection, one call at a time, RFC 3261 subset:
INVITE -> (1xx) -> final; ACK; optional hold; BYE -> 200. After any transport failure or
timeout the connection is dropped and the next call connects again, so a link that comes back
up is used again and late answers to a timed-out call can never be mistaken for the next one.
Messages are built with aiosipua; framing, parsing and answers are the mocks' own
(mock_services/core: sip_framing, sip_codec), so both ends of a call read SIP alike. A refused
call's error keeps the answer's `Warning` (else its `Reason`): who refused and which of its
dependencies failed, which the report groups failures by.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from aiosipua.message import SipMessage, SipRequest, SipResponse

from harness.load.recorder import MAX_ERROR
from harness.load.transport import Connection, Connector, OperationFailed, describe, peer_closed
from mock_services.core import sip_codec
from mock_services.core.sip_framing import MAX_MESSAGE, FramingError, MessageTooLarge, SipFramer

USER_AGENT = "dispatch-chaos"


class SipFailure(OperationFailed):
    """A call or hang-up failed: protocol error, timeout, lost connection, non-2xx BYE."""


def refusal(answer: SipResponse) -> str:
    """A non-2xx answer as the journal's error: `503 Service Unavailable; Warning: 399
    meldkamer-rotterdam "police-ict unreachable: timeout"`, at most MAX_ERROR characters."""
    text = f"{answer.status_code} {answer.reason_phrase}".strip()
    for header in ("Warning", "Reason"):  # RFC 3261 §20.43, RFC 3326
        if value := answer.get_header(header):
            return f"{text}; {header}: {' '.join(value.split())}"[:MAX_ERROR]
    return text[:MAX_ERROR]


class SipStream(SipFramer):
    """The mocks' framer (Content-Length, RFC 3261 §18.3); a stream it cannot cut any more is
    a failed call, and the caller drops the connection."""

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        super().__init__(limit)

    def feed(self, data: bytes) -> list[bytes]:
        try:
            return super().feed(data)
        except MessageTooLarge as exc:
            raise SipFailure(f"protocol error: SIP message too long ({exc})") from None
        except FramingError as exc:
            raise SipFailure(f"protocol error: {exc}") from None


def _token() -> str:
    return uuid.uuid4().hex[:16]  # os.urandom: unique across forked Locust workers too


@dataclass(frozen=True)
class CallResult:
    """One call as the journal records it."""

    ok: bool  # answered (2xx)
    call_id: str
    start: float  # wall time the call was placed
    latency: float  # seconds from INVITE sent to final answer (or to the failure)
    status: int | None = None
    error: str | None = None
    answered_by: str | None = None  # X-Answered-By of the 200 OK


@dataclass
class _Dialog:
    call_id: str
    uri: str  # where in-dialog requests go (the 200's Contact, else the INVITE's URI)
    from_: str
    to: str  # with the remote tag
    via: str  # the INVITE's Via (a non-2xx ACK reuses its branch)


class SipCaller:
    """Places calls to `number@host:port` (or to any request URI) on one kept-alive TCP
    connection to `host:port`."""

    def __init__(
        self,
        connect: Connector,
        host: str,
        port: int,
        user: str = "caller",
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._connect = connect
        self.host, self.port, self.user = host, port, user
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._conn: Connection | None = None
        self._stream = SipStream()
        self._pending: deque[bytes] = deque()
        self._local = ("127.0.0.1", 0)

    # --- one call ---------------------------------------------------------------------------

    def call(
        self,
        number: str,
        region: str | None,
        timeout: float = 2.0,
        hold: float = 0.0,
        uri: str | None = None,
    ) -> CallResult:
        """Dial (`number`, or any request `uri`), wait for the final answer, ACK, hold, hang
        up. Never raises for a failed call."""
        call_id = f"{_token()}@{USER_AGENT}"
        start, began = self._wall(), self._clock()
        sent = began
        try:
            deadline = began + timeout
            self._ensure_connected(deadline)
            invite = self.invite(number, region, call_id, uri)
            sent = self._clock()
            self._send(invite)
            answer = self._final(call_id, 1, "INVITE", deadline)
        except (OperationFailed, OSError) as exc:
            self.close()
            return CallResult(False, call_id, start, self._clock() - sent, None, describe(exc))
        latency = self._clock() - sent
        dialog = self._dialog(invite, answer)
        if not 200 <= answer.status_code < 300:
            self._try(lambda: self._send(self._ack(dialog, invite_branch=True)))
            return CallResult(False, call_id, start, latency, answer.status_code, refusal(answer))
        answered_by = answer.get_header("X-Answered-By")
        hang_up_error = self._try(lambda: self._hang_up(dialog, hold, timeout))
        return CallResult(
            True,
            call_id,
            start,
            latency,
            answer.status_code,
            # the call was answered; a failed hang-up is noted but does not undo that
            f"answered, then BYE failed: {hang_up_error}" if hang_up_error else None,
            answered_by,
        )

    def _hang_up(self, dialog: _Dialog, hold: float, timeout: float) -> None:
        if hold > 0:
            self._send(self._ack(dialog))
            self._sleep(hold)
            self._send(self._bye(dialog))
        else:  # one write: a segment (and a wake-up of the far end) less per call
            self._send(self._ack(dialog), self._bye(dialog))
        deadline = self._clock() + timeout
        answer = self._final(dialog.call_id, 2, "BYE", deadline)
        if not 200 <= answer.status_code < 300:
            raise SipFailure(f"{answer.status_code} {answer.reason_phrase}".strip())

    def _try(self, action: Callable[[], None]) -> str | None:
        """Run a step whose failure ends the connection but not the call's result."""
        try:
            action()
        except (OperationFailed, OSError) as exc:
            self.close()
            return describe(exc)
        return None

    # --- messages ---------------------------------------------------------------------------

    def _via(self, branch: str | None = None) -> str:
        host, port = self._local
        return f"SIP/2.0/TCP {host}:{port};branch=z9hG4bK{branch or _token()};rport"

    def invite(
        self, number: str, region: str | None, call_id: str, uri: str | None = None
    ) -> SipRequest:
        to = f"<{uri}>" if uri else f"<sip:{number}@{self.host}>"
        uri = uri or f"sip:{number}@{self.host}:{self.port}"
        host, port = self._local
        msg = SipRequest(method="INVITE", uri=uri)
        msg.add_header("Via", self._via())
        msg.set_header("Max-Forwards", "70")
        msg.set_header("From", f"<sip:{self.user}@{USER_AGENT}>;tag={_token()}")
        msg.set_header("To", to)
        msg.set_header("Call-ID", call_id)
        msg.set_header("CSeq", "1 INVITE")
        msg.set_header("Contact", f"<sip:{self.user}@{host}:{port};transport=tcp>")
        if region is not None:
            msg.set_header("X-Caller-Region", region)
        msg.set_header("User-Agent", USER_AGENT)
        return msg

    def _dialog(self, invite: SipRequest, answer: SipResponse) -> _Dialog:
        contact = answer.get_header("Contact") or ""
        uri = contact[contact.find("<") + 1 : contact.find(">")] if "<" in contact else ""
        return _Dialog(
            call_id=invite.call_id or "",
            uri=uri or invite.uri,
            from_=invite.get_header("From") or "",
            to=answer.get_header("To") or invite.get_header("To") or "",
            via=invite.get_header("Via") or self._via(),
        )

    def _in_dialog(self, method: str, seq: int, dialog: _Dialog, via: str) -> SipRequest:
        msg = SipRequest(method=method, uri=dialog.uri)
        msg.add_header("Via", via)
        msg.set_header("Max-Forwards", "70")
        msg.set_header("From", dialog.from_)
        msg.set_header("To", dialog.to)
        msg.set_header("Call-ID", dialog.call_id)
        msg.set_header("CSeq", f"{seq} {method}")
        msg.set_header("User-Agent", USER_AGENT)
        return msg

    def _ack(self, dialog: _Dialog, invite_branch: bool = False) -> SipRequest:
        # ACK to a non-2xx belongs to the INVITE transaction (same branch); to a 2xx it is new
        return self._in_dialog("ACK", 1, dialog, dialog.via if invite_branch else self._via())

    def _bye(self, dialog: _Dialog) -> SipRequest:
        return self._in_dialog("BYE", 2, dialog, self._via())

    # --- transport --------------------------------------------------------------------------

    def connect(self, timeout: float) -> bool:
        """Connect ahead of the first call; a failure is left to that call to meet again."""
        try:
            self._ensure_connected(self._clock() + timeout)
        except (SipFailure, OSError):
            self.close()
            return False
        return True

    def _ensure_connected(self, deadline: float) -> None:
        if self._conn is not None and peer_closed(self._conn):
            self.close()
        if self._conn is not None:
            return
        remaining = deadline - self._clock()
        if remaining <= 0:
            raise SipFailure("timeout: no connection")
        self._conn = self._connect(remaining)
        self._local = self._conn.getsockname()[:2]
        self._stream = SipStream()
        self._pending.clear()

    def _send(self, *msgs: SipMessage) -> None:
        if self._conn is None:
            raise SipFailure("not connected")
        self._conn.sendall(b"".join(bytes(m) for m in msgs))

    def _receive(self, deadline: float, waiting_for: str) -> bytes:
        while not self._pending:
            remaining = deadline - self._clock()
            if remaining <= 0 or self._conn is None:
                raise SipFailure(f"timeout: no final answer to {waiting_for}")
            self._conn.settimeout(remaining)
            try:
                data = self._conn.recv(MAX_MESSAGE)
            except TimeoutError:
                raise SipFailure(f"timeout: no final answer to {waiting_for}") from None
            if not data:
                raise SipFailure("connection closed by peer")
            self._pending.extend(self._stream.feed(data))
        return self._pending.popleft()

    def _final(self, call_id: str, seq: int, method: str, deadline: float) -> SipResponse:
        """The final response to our request; provisional and stray messages are passed over."""
        while True:
            raw = self._receive(deadline, method)
            if raw.startswith(b"SIP/2.0 1"):
                continue  # provisional: nothing in it we use, and parsing is our main cost
            try:
                msg = sip_codec.decode(raw)
            except sip_codec.SipDecodeError as exc:
                raise SipFailure(f"protocol error: {exc}") from None
            if isinstance(msg, SipRequest):
                self._answer_request(msg)
                continue
            if msg.call_id != call_id or sip_codec.cseq(msg) != (seq, method):
                continue  # an answer to something else
            if msg.status_code >= 200:
                return msg

    def _answer_request(self, request: SipRequest) -> None:
        """The far end may hang up (BYE) or probe (OPTIONS); ACKs need no answer."""
        if request.method in ("BYE", "OPTIONS"):
            self._send(sip_codec.response_to(request, 200))
        elif request.method != "ACK":
            self._send(sip_codec.response_to(request, 501))

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(OSError):
                conn.close()
        self._pending.clear()
