"""One call through telephony: the caller's leg and the attempts to reach a callee.

Telephony is a stateful proxy: it answers the caller 100 at once, forwards the INVITE with its
own Via, relays 180/183 and the final answer back (its Via removed), and ACKs non-2xx answers
hop by hop. An attempt that gets no final answer in time is abandoned: it is CANCELled, and
if its 200 still arrives later the callee is sent ACK (with a Reason saying the call was
completed elsewhere) and BYE, so a re-routed call is never answered twice. A call that fails
tells the caller why: the callee's Warning and Reason travel with the final failure.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiosipua import SipRequest, SipResponse

from mock_services.core import sip_codec
from mock_services.core.config import Dependency
from mock_services.core.sip_client import ResponseHandler, SipClient
from mock_services.core.sip_transport import SipConnection
from mock_services.core.sip_uas import REASON_COMPLETED_ELSEWHERE
from mock_services.core.stats import Stats
from mock_services.telephony.routing import Route


def forwarded(request: SipRequest) -> SipRequest:
    """A copy of `request` to send on (the client adds our Via), one hop fewer to live."""
    copy = SipRequest(
        method=request.method, uri=request.uri, headers=request.headers.copy(), body=request.body
    )
    hops = (request.get_header("Max-Forwards") or "70").strip()
    copy.set_header("Max-Forwards", str(max(int(hops) - 1, 0)) if hops.isdigit() else "69")
    return copy


def in_dialog(
    method: str, invite: SipRequest, answer: SipResponse | None, seq: int, uri: str | None = None
) -> SipRequest:
    """A request of the INVITE's dialog: ACK, CANCEL or BYE (RFC 3261 §9.1, §13.2.2.4)."""
    request = SipRequest(method=method, uri=uri or invite.uri)
    request.set_header("Max-Forwards", "70")
    request.set_header("From", invite.get_header("From") or "")
    to = answer.get_header("To") if answer is not None else None
    request.set_header("To", to or invite.get_header("To") or "")
    request.set_header("Call-ID", invite.call_id or "")
    request.set_header("CSeq", f"{seq} {method}")
    return request


def contact_uri(response: SipResponse) -> str | None:
    contact = response.get_header("Contact") or ""
    if "<" in contact:
        return contact.partition("<")[2].partition(">")[0] or None
    return contact.partition(";")[0].strip() or None


WHY = ("Warning", "Reason")  # RFC 3261 §20.43, RFC 3326: why a callee refused


def why(response: SipResponse) -> dict[str, str]:
    """The callee's Warning and Reason, to relay with its failure so the caller learns why."""
    return {name: value for name in WHY if (value := response.get_header(name))}


def _ignore(_: SipResponse | None) -> None:
    pass


class Attempt:
    """The call's INVITE forwarded to one target."""

    def __init__(self, call: Call, target: Dependency, client: SipClient) -> None:
        self.call = call
        self.target = target
        self.client = client
        self.branch = sip_codec.new_branch()
        self.request = forwarded(call.invite)
        self.seq = sip_codec.cseq(call.invite)[0]
        self.final: asyncio.Future[SipResponse | None] = asyncio.get_running_loop().create_future()
        self.conn: SipConnection | None = None
        self.sent = False
        self.answered = False  # a final answer arrived
        self.abandoned = False

    async def send(self) -> None:
        self.conn = await self.client.send(self.request, self.on_response, branch=self.branch)
        self.sent = True

    def send_in_dialog(
        self,
        request: SipRequest,
        on_response: ResponseHandler | None = None,
        *,
        branch: str | None = None,
    ) -> None:
        """On the INVITE's connection while it lives, so ACK and BYE keep their order."""
        self.client.send_soon(request, on_response, branch=branch, prefer=self.conn)

    def on_response(self, response: SipResponse | None) -> None:
        if response is None:  # connection lost or transaction expired: no answer is coming
            self._settle(None)
            return
        status = response.status_code
        if status < 200:
            if status > 100 and not self.abandoned:
                self.call.provisional(response)
            return
        self.answered = True
        if status >= 300:  # a non-2xx answer is ACKed hop by hop, on the INVITE's branch
            ack = in_dialog("ACK", self.request, response, self.seq)
            self.send_in_dialog(ack, branch=self.branch)
        elif self.abandoned:
            self.hang_up(response)
        self._settle(response)

    def abandon(self) -> None:
        """Give up on this target: CANCEL it while it has not answered."""
        if self.abandoned:
            return
        self.abandoned = True
        self._settle(None)
        if self.sent and not self.answered:
            cancel = in_dialog("CANCEL", self.request, None, self.seq)
            self.send_in_dialog(cancel, _ignore, branch=self.branch)

    def hang_up(self, answer: SipResponse) -> None:
        """End a dialog the caller will never see (a late 200): ACK it, then BYE."""
        self.call.stats.inc("calls.late_answer_hung_up")
        uri = contact_uri(answer)
        ack = in_dialog("ACK", self.request, answer, self.seq, uri)
        ack.set_header("Reason", REASON_COMPLETED_ELSEWHERE)
        bye = in_dialog("BYE", self.request, answer, self.seq + 1, uri)
        bye.set_header("Reason", REASON_COMPLETED_ELSEWHERE)
        self.send_in_dialog(ack)
        self.send_in_dialog(bye, _ignore)

    def _settle(self, response: SipResponse | None) -> None:
        if not self.final.done():
            self.final.set_result(response)


class Call:
    """A caller's INVITE, from its arrival to the end of its dialog."""

    def __init__(
        self, invite: SipRequest, caller: SipConnection, route: Route, stats: Stats
    ) -> None:
        self.invite = invite
        self.caller = caller
        self.route = route
        self.stats = stats
        self.call_id = invite.call_id or ""
        self.to_tag = sip_codec.new_tag()  # for the answers telephony gives itself
        self.state = "routing"  # -> answered | failed | cancelled
        self.attempt: Attempt | None = None
        self.answer: SipResponse | None = None  # the 2xx the caller got
        self.created = time.monotonic()
        self.task: asyncio.Task[Any] | None = None

    @property
    def callee(self) -> Attempt | None:
        """The attempt that answered, once the call is answered."""
        return self.attempt if self.state == "answered" else None

    def provisional(self, response: SipResponse) -> None:
        if self.state == "routing":
            self.relay(response)

    def relay(self, response: SipResponse) -> bool:
        """Send the callee's answer on to the caller, without our Via."""
        sip_codec.pop_via(response)
        return self.caller.send(response)

    def reply(
        self, status: int, reason: str | None = None, extra: dict[str, str] | None = None
    ) -> None:
        """Answer the caller ourselves (a final answer of telephony's own)."""
        tag = self.to_tag if status > 100 else None
        answer = sip_codec.response_to(self.invite, status, reason, to_tag=tag, extra=extra)
        self.caller.send(answer)
