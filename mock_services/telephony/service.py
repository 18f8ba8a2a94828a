"""The telephony service: callers' SIP requests in, calls routed out over pooled links.

Settings: `sip_connections` (TCP connections per link, default 2), `default_region` (for 112
calls without a known X-Caller-Region).
"""

from __future__ import annotations

import asyncio
import socket
import time

from aiosipua import SipRequest, SipResponse

from mock_services.core import sip_codec
from mock_services.core.config import Dependency
from mock_services.core.faults import GARBAGE, Verdict
from mock_services.core.numbers import number_class
from mock_services.core.service import Service
from mock_services.core.sip_client import SipClient
from mock_services.core.sip_codec import Message
from mock_services.core.sip_refusal import Refusal
from mock_services.core.sip_transport import SipConnection, SipServer, serve_request
from mock_services.core.sip_uas import ALLOW
from mock_services.telephony import routing
from mock_services.telephony.calls import Attempt, Call, forwarded, in_dialog, why

CALL_TTL = 600.0  # seconds an answered call is kept without a BYE


class Telephony(Service):
    kind = "telephony"
    listeners = ("sip", "http")

    async def serve(self, listener: str, sock: socket.socket) -> None:
        if listener != "sip":
            await super().serve(listener, sock)
            return
        host, port = sock.getsockname()[:2]
        connections = int(self.setting("sip_connections", 2))
        self.clients = {
            dep.service: SipClient(
                dep.service,
                dep.host,
                dep.port,
                self.stats,
                via_host=f"{host}:{port}",
                connections=connections,
                connect_timeout=dep.timeout,
            )
            for dep in self.config.dependencies.values()
        }
        self.calls: dict[str, Call] = {}
        self._last_sweep = time.monotonic()
        self.stats.gauge("calls.active", lambda: len(self.calls))
        server = SipServer(self.on_message, self.stats, on_lost=self._caller_lost)
        await server.start(sock)
        self.on_close(server.close)
        for client in self.clients.values():
            self.on_close(client.close)

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

    # --- INVITE: routing -----------------------------------------------------------------

    def _invite(self, conn: SipConnection, invite: SipRequest) -> None:
        call_id = invite.call_id or ""
        if call_id in self.calls:
            return  # a retransmission (or re-INVITE, which this subset does not offer)
        if (invite.get_header("Max-Forwards") or "").strip() == "0":
            conn.send(sip_codec.response_to(invite, 483, to_tag=sip_codec.new_tag()))
            return
        dialled = sip_codec.uri_user(invite.uri)
        route = routing.route(self.config, dialled, invite.get_header("X-Caller-Region"))
        verdict = self.faults.verdict("sip", ("sip", "INVITE", number_class(dialled) or ""))
        if verdict.answer is not None and verdict.answer.mode == "drop":
            self.stats.inc("fault.drop")
            return
        if route is None:
            self.stats.inc("calls.unknown_number")
            conn.send(sip_codec.response_to(invite, 404, to_tag=sip_codec.new_tag()))
            return
        call = Call(invite, conn, route, self.stats)
        self.calls[call_id] = call
        self.stats.inc(f"calls.{route.number}")
        call.reply(100)
        call.task = self.spawn(self._connect(call, verdict))

    async def _connect(self, call: Call, verdict: Verdict) -> None:
        if verdict.delay:
            await asyncio.sleep(verdict.delay)
            if call.state != "routing":
                return  # cancelled by the caller while we were slow
        fault = verdict.answer
        if fault is not None:
            self.stats.inc(f"fault.{fault.mode}")
            if fault.mode == "garbage":
                call.caller.write(GARBAGE)
                self._forget(call)
            else:
                status = fault.status or 503
                refusal = Refusal(status, f"application fault: sip {status}")
                self._fail(call, status, extra=refusal.headers(self.name))
            return
        last: SipResponse | None = None
        for number, target in enumerate(call.route.targets):
            if number:
                self.stats.inc("calls.rerouted")
            for _ in range(target.retries + 1):
                if call.state != "routing":
                    return  # cancelled by the caller meanwhile
                response = await self._attempt(call, target)
                if call.state != "routing":
                    return
                if response is None or response.status_code >= 500 or response.status_code == 408:
                    last = response or last
                    continue  # no usable answer: again, or the next target
                if response.status_code < 300:
                    self._answered(call, response)
                else:
                    self._fail(call, response.status_code, response.reason_phrase, why(response))
                return
        if last is not None:  # the final failure, and the callee's word on why
            self._fail(call, last.status_code, last.reason_phrase, why(last))
        else:
            tried = ", ".join(t.service for t in call.route.targets) or "nobody to route to"
            self._fail(call, 503, extra=Refusal(503, f"no answer from {tried}").headers(self.name))

    async def _attempt(self, call: Call, target: Dependency) -> SipResponse | None:
        """Forward the INVITE to `target`; its final answer, or None when none came in time."""
        attempt = Attempt(call, target, self.clients[target.service])
        call.attempt = attempt
        try:
            async with asyncio.timeout(target.timeout):
                await attempt.send()
                response = await asyncio.shield(attempt.final)
        except (TimeoutError, OSError):
            response = None
        if response is None:
            self.stats.inc(f"route.{target.service}.no_answer")
            attempt.abandon()
        return response

    def _answered(self, call: Call, response: SipResponse) -> None:
        call.state = "answered"
        call.answer = response
        self.stats.inc("calls.answered")
        if not call.relay(response):  # the caller left meanwhile: end the callee's leg
            attempt = call.attempt
            assert attempt is not None
            attempt.hang_up(response)
            self._forget(call)

    def _fail(
        self,
        call: Call,
        status: int,
        reason: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> None:
        call.state = "failed"
        self.stats.inc(f"calls.failed.{status}")
        call.reply(status, reason, extra)
        self._forget(call)  # the caller's ACK to this answer finds nothing and is absorbed

    # --- in-dialog requests ------------------------------------------------------------------

    def _ack(self, conn: SipConnection, ack: SipRequest) -> None:
        call = self.calls.get(ack.call_id or "")
        callee = call.callee if call is not None else None
        if callee is None:
            return  # the ACK of an answer telephony gave itself: absorbed here
        callee.send_in_dialog(forwarded(ack))

    def _bye(self, conn: SipConnection, bye: SipRequest) -> None:
        """Relay the caller's BYE to the callee and its answer back (408 when none comes)."""
        call = self.calls.get(bye.call_id or "")
        callee = call.callee if call is not None else None
        if call is None or callee is None:
            conn.send(sip_codec.response_to(bye, 481))
            return
        loop = asyncio.get_running_loop()
        answered = False

        def on_response(response: SipResponse | None) -> None:
            nonlocal answered
            if answered or (response is not None and response.status_code < 200):
                return
            answered = True
            timer.cancel()
            self._forget(call)
            if response is None:
                conn.send(sip_codec.response_to(bye, 408))
            else:
                sip_codec.pop_via(response)
                conn.send(response)

        timer = loop.call_later(callee.target.timeout, on_response, None)
        # sent in this turn of the loop when the link is up: an ACK and BYE that arrived
        # together leave together
        callee.send_in_dialog(forwarded(bye), on_response)

    def _cancel(self, conn: SipConnection, cancel: SipRequest) -> None:
        call = self.calls.get(cancel.call_id or "")
        if call is None:
            conn.send(sip_codec.response_to(cancel, 481))
            return
        conn.send(sip_codec.response_to(cancel, 200))
        if call.state == "routing":
            self.stats.inc("calls.cancelled")
            call.state = "cancelled"
            if call.attempt is not None:
                call.attempt.abandon()
            call.reply(487)
            self._forget(call)

    def _options(self, conn: SipConnection, options: SipRequest) -> None:
        verdict = self.faults.verdict("sip", ("sip", "OPTIONS"))
        if verdict.delay:
            self.spawn(self._options_later(conn, options, verdict))
        else:
            self._answer_options(conn, options, verdict)

    async def _options_later(
        self, conn: SipConnection, options: SipRequest, verdict: Verdict
    ) -> None:
        await asyncio.sleep(verdict.delay)
        self._answer_options(conn, options, verdict)

    def _answer_options(self, conn: SipConnection, options: SipRequest, verdict: Verdict) -> None:
        fault = verdict.answer
        if fault is None:
            conn.send(sip_codec.response_to(options, 200, extra={"Allow": ALLOW}))
        elif fault.mode == "sip":
            conn.send(sip_codec.response_to(options, fault.status or 503))
        elif fault.mode == "garbage":
            conn.write(GARBAGE)

    # --- bookkeeping -------------------------------------------------------------------------

    def _caller_lost(self, conn: SipConnection) -> None:
        """A caller's connection broke: its calls end (ringing ones cancelled, answered ones
        hung up towards the callee)."""
        for call in [c for c in self.calls.values() if c.caller is conn]:
            self._drop(call)

    def _drop(self, call: Call) -> None:
        if call.state == "routing":
            call.state = "cancelled"
            if call.attempt is not None:
                call.attempt.abandon()
        elif call.callee is not None and call.answer is not None:
            bye = in_dialog("BYE", call.callee.request, call.answer, call.callee.seq + 1)
            call.callee.send_in_dialog(bye)
        self._forget(call)

    def _forget(self, call: Call) -> None:
        if self.calls.get(call.call_id) is call:
            del self.calls[call.call_id]
        # Call and Attempt point at each other: unlinked, a finished call is freed at once
        # instead of piling up for the cycle collector, whose full passes over thousands of
        # dead calls stalled this busiest process for tens of ms under load (bench P5)
        call.attempt = None

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < 10.0:
            return
        self._last_sweep = now
        for call in [c for c in self.calls.values() if now - c.created > CALL_TTL]:
            self._drop(call)
