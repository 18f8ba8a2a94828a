"""Answering calls (SIP UAS): what a meldkamer and the police contact centre share.

An INVITE gets 100 Trying at once; then the service's `admit` runs (its dependencies: a
police-ict lookup, say) and either refuses the call with a status or lets it ring (180) and
be answered (200 with `X-Answered-By`). A refusal says why in a `Warning` and a `Reason`
(sip_refusal.py): the dependency that failed, or the application fault. The call is established when its ACK arrives, unless
the ACK says the call was completed elsewhere (telephony hanging up a late answer after it
re-routed the call): then nothing is registered for it. CANCEL before the answer gives 487.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiosipua import SipRequest

from mock_services.core import sip_codec
from mock_services.core.faults import GARBAGE, HEALTHY, FaultTable, Verdict
from mock_services.core.numbers import number_class
from mock_services.core.sip_codec import Message
from mock_services.core.sip_refusal import Refusal
from mock_services.core.sip_transport import SipConnection, serve_request
from mock_services.core.stats import Stats

log = logging.getLogger(__name__)

CALL_TTL = 600.0  # seconds a call is remembered without a BYE (abandoned by its caller)
COMPLETED_ELSEWHERE = "call completed elsewhere"
REASON_COMPLETED_ELSEWHERE = f'SIP ;cause=200 ;text="{COMPLETED_ELSEWHERE.capitalize()}"'


@dataclass
class IncomingCall:
    call_id: str
    invite: SipRequest
    conn: SipConnection
    to_tag: str
    number: str | None  # number class: 112, 0900, 088
    created: float
    state: str = "ringing"  # ringing -> answered -> established
    task: asyncio.Task[None] | None = None

    @property
    def caller_region(self) -> str | None:
        return self.invite.get_header("X-Caller-Region")

    @property
    def caller(self) -> str:
        return sip_codec.address_user(self.invite.get_header("From") or "")


# Returns a refusal (a status such as 503, or a Refusal saying why) or None to answer the call.
Admit = Callable[[IncomingCall], Awaitable[int | Refusal | None]]


class CallAnswerer:
    def __init__(
        self,
        name: str,
        stats: Stats,
        faults: FaultTable,
        *,
        contact: str,
        admit: Admit | None = None,
        on_established: Callable[[IncomingCall], None] | None = None,
        answer_delay: float = 0.0,
    ) -> None:
        self.name = name
        self.stats = stats
        self.faults = faults
        self.contact = contact
        self._admit = admit
        self._on_established = on_established
        self.answer_delay = answer_delay
        self.calls: dict[str, IncomingCall] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_sweep = time.monotonic()
        stats.gauge("calls.active", lambda: len(self.calls))

    def on_message(self, conn: SipConnection, message: Message) -> None:
        handlers = {
            "INVITE": self._invite,
            "ACK": self._ack,
            "BYE": self._bye,
            "CANCEL": self._cancel,
            "OPTIONS": self._options,
        }
        serve_request(conn, message, self.stats, handlers)
        self._maybe_sweep()

    def connection_lost(self, conn: SipConnection) -> None:
        """Calls still ringing on a lost connection can never be answered: forget them."""
        for call in [c for c in self.calls.values() if c.conn is conn and c.state == "ringing"]:
            if call.task is not None:
                call.task.cancel()
            self._forget(call)

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    # --- methods -----------------------------------------------------------------------------

    def _invite(self, conn: SipConnection, invite: SipRequest) -> None:
        call_id = invite.call_id or ""
        known = self.calls.get(call_id)
        if known is not None:
            if known.state != "ringing":  # a re-INVITE in the dialog: same answer
                conn.send(self._answer(known, 200))
            return  # else a retransmission of an INVITE we are working on
        number = number_class(sip_codec.uri_user(invite.uri))
        verdict = self.faults.verdict("sip", ("sip", "INVITE", number or ""))
        if verdict.answer is not None and verdict.answer.mode == "drop":
            self.stats.inc("fault.drop")
            return
        call = IncomingCall(call_id, invite, conn, sip_codec.new_tag(), number, time.monotonic())
        self.calls[call_id] = call
        conn.send(sip_codec.response_to(invite, 100))
        if verdict is HEALTHY and self._admit is None and not self.answer_delay:
            self._ring_and_answer(call)  # nothing to wait for: 100, 180, 200 leave together
        else:
            call.task = self._spawn(self._ring(call, verdict))

    async def _ring(self, call: IncomingCall, verdict: Verdict) -> None:
        if verdict.delay:
            await asyncio.sleep(verdict.delay)
        if verdict.answer is not None:
            self.stats.inc(f"fault.{verdict.answer.mode}")
            if verdict.answer.mode == "garbage":
                call.conn.write(GARBAGE)
                self._forget(call)
            else:
                status = verdict.answer.status or 503
                self._refuse(call, Refusal(status, f"application fault: sip {status}"))
            return
        if self._admit is not None:
            refusal = await self._admit(call)
            if refusal is not None:
                self._refuse(call, refusal)
                return
        if self.answer_delay:
            call.conn.send(self._answer(call, 180))
            await asyncio.sleep(self.answer_delay)
        self._ring_and_answer(call, ringing=not self.answer_delay)

    def _ring_and_answer(self, call: IncomingCall, ringing: bool = True) -> None:
        if ringing:
            call.conn.send(self._answer(call, 180))
        call.state = "answered"
        call.conn.send(self._answer(call, 200))
        self.stats.inc("calls.answered")

    def _refuse(self, call: IncomingCall, refusal: int | Refusal) -> None:
        refusal = refusal if isinstance(refusal, Refusal) else Refusal(refusal)
        self.stats.inc(f"calls.refused.{refusal.status}")
        call.conn.send(self._answer(call, refusal.status, refusal.headers(self.name)))
        self._forget(call)  # its ACK (hop by hop) finds nothing and is absorbed

    def _answer(
        self, call: IncomingCall, status: int, extra: dict[str, str] | None = None
    ) -> Message:
        if status == 200:
            extra = {"Contact": self.contact, "X-Answered-By": self.name}
        return sip_codec.response_to(call.invite, status, to_tag=call.to_tag, extra=extra)

    def _ack(self, conn: SipConnection, ack: SipRequest) -> None:
        call = self.calls.get(ack.call_id or "")
        if call is not None and call.state == "answered":
            self._establish(call, ack)
        # else an ACK to a refusal, or a repeated ACK: nothing to do

    def _establish(self, call: IncomingCall, request: SipRequest) -> None:
        call.state = "established"
        if COMPLETED_ELSEWHERE in (request.get_header("Reason") or "").lower():
            self.stats.inc("calls.completed_elsewhere")
            return  # telephony re-routed this call and hangs this leg up: no incident here
        self.stats.inc("calls.established")
        if self._on_established is not None:
            self._on_established(call)

    def _bye(self, conn: SipConnection, bye: SipRequest) -> None:
        call = self.calls.pop(bye.call_id or "", None)
        conn.send(sip_codec.response_to(bye, 200 if call is not None else 481))
        if call is None:
            return
        if call.state == "answered":  # its ACK was lost: the caller had the call all the same
            self._establish(call, bye)
        self.stats.inc("calls.ended")

    def _cancel(self, conn: SipConnection, cancel: SipRequest) -> None:
        call = self.calls.get(cancel.call_id or "")
        if call is None:
            conn.send(sip_codec.response_to(cancel, 481))
            return
        conn.send(sip_codec.response_to(cancel, 200))
        if call.state == "ringing":
            self.stats.inc("calls.cancelled")
            if call.task is not None:
                call.task.cancel()
            call.conn.send(self._answer(call, 487))
            self._forget(call)

    def _options(self, conn: SipConnection, options: SipRequest) -> None:
        verdict = self.faults.verdict("sip", ("sip", "OPTIONS"))
        self._spawn(self._capabilities(conn, options, verdict))

    async def _capabilities(
        self, conn: SipConnection, options: SipRequest, verdict: Verdict
    ) -> None:
        if verdict.delay:
            await asyncio.sleep(verdict.delay)
        fault = verdict.answer
        if fault is None:
            conn.send(sip_codec.response_to(options, 200, extra={"Allow": ALLOW}))
        elif fault.mode == "garbage":
            conn.write(GARBAGE)
        elif fault.mode == "sip":
            conn.send(sip_codec.response_to(options, fault.status or 503))

    # --- bookkeeping -------------------------------------------------------------------------

    def _spawn(self, work: Awaitable[None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.stats.inc("sip.handler_error")
            log.error("error answering a call", exc_info=error)

    def _forget(self, call: IncomingCall) -> None:
        if self.calls.get(call.call_id) is call:
            del self.calls[call.call_id]

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < 10.0:
            return
        self._last_sweep = now
        for call in [c for c in self.calls.values() if now - c.created > CALL_TTL]:
            if call.task is not None:
                call.task.cancel()
            self._forget(call)


ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS"
