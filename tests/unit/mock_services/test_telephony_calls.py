"""One call through telephony: relaying, hop-by-hop ACKs, CANCEL, and late answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiosipua import SipRequest, SipResponse

from mock_services.core import sip_codec
from mock_services.core.config import Dependency
from mock_services.core.sip_codec import decode
from mock_services.core.stats import Stats
from mock_services.telephony.calls import Attempt, Call, forwarded
from mock_services.telephony.routing import Route
from tests.unit.mock_services.fakes import FakeSipConnection

TARGET = Dependency(
    "meldkamer-rotterdam",
    "meldkamer",
    "telephony->meldkamer-rotterdam",
    "127.0.0.1",
    1,
    region="rotterdam",
    timeout=1.0,
    fallback="backup-region",
)
INVITE = (
    b"INVITE sip:112@telephony SIP/2.0\r\nVia: SIP/2.0/TCP caller;branch=z9hG4bKc\r\n"
    b"From: <sip:ann@h>;tag=a\r\nTo: <sip:112@telephony>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n"
    b"Max-Forwards: 70\r\n\r\n"
)


class FakeClient:
    """Stands in for a SipClient: pushes a Via like the real one and records what is sent."""

    def __init__(self) -> None:
        self.sent: list[tuple[SipRequest, str | None]] = []

    async def send(
        self,
        request: SipRequest,
        on_response: Any = None,
        *,
        branch: str | None = None,
        prefer: Any = None,
    ) -> Any:
        self.send_soon(request, on_response, branch=branch)
        return "connection"

    def send_soon(
        self,
        request: SipRequest,
        on_response: Any = None,
        *,
        branch: str | None = None,
        prefer: Any = None,
    ) -> None:
        sip_codec.push_via(request, f"SIP/2.0/TCP telephony;branch={branch or 'new'}")
        self.sent.append((request, branch))

    def methods(self) -> list[str]:
        return [r.method for r, _ in self.sent]


def answer(request: SipRequest, status: int, tag: str = "mk") -> SipResponse:
    return sip_codec.response_to(
        request, status, to_tag=tag, extra={"Contact": "<sip:mk@10.0.0.9:5060>"}
    )


def setup() -> tuple[Call, Attempt, FakeClient, FakeSipConnection]:
    invite = decode(INVITE)
    assert isinstance(invite, SipRequest)
    caller = FakeSipConnection()
    call = Call(invite, caller, Route("112", "rotterdam", (TARGET,)), Stats())  # type: ignore[arg-type]
    client = FakeClient()
    attempt = Attempt(call, TARGET, client)  # type: ignore[arg-type]
    return call, attempt, client, caller


def run(script: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(script())  # type: ignore[arg-type]


def test_the_forwarded_invite_has_one_hop_less_and_our_via_on_top() -> None:
    async def script() -> None:
        call, attempt, client, _ = setup()
        await attempt.send()
        sent, branch = client.sent[0]
        assert sent.get_header("Max-Forwards") == "69"
        assert sip_codec.top_branch(sent) == branch == attempt.branch
        assert call.invite.get_header("Max-Forwards") == "70"  # the caller's copy is untouched

    run(script)


def test_ringing_reaches_the_caller_without_our_via_and_trying_does_not() -> None:
    async def script() -> None:
        _call, attempt, client, caller = setup()
        await attempt.send()
        attempt.on_response(answer(client.sent[0][0], 100))
        attempt.on_response(answer(client.sent[0][0], 180))
        assert caller.statuses() == [180]
        assert caller.sent[0].get_header_values("Via") == ["SIP/2.0/TCP caller;branch=z9hG4bKc"]

    run(script)


def test_a_final_answer_settles_the_attempt_and_a_failure_is_acked_hop_by_hop() -> None:
    async def script() -> None:
        _, attempt, client, _ = setup()
        await attempt.send()
        attempt.on_response(answer(client.sent[0][0], 503))
        result = await attempt.final
        assert result is not None and result.status_code == 503
        ack, branch = client.sent[-1]
        assert ack.method == "ACK" and branch == attempt.branch
        assert ack.get_header("To") == "<sip:112@telephony>;tag=mk"

    run(script)


def test_an_abandoned_attempt_is_cancelled_on_its_invites_branch() -> None:
    async def script() -> None:
        _, attempt, client, _ = setup()
        await attempt.send()
        attempt.abandon()
        assert await attempt.final is None
        cancel, branch = client.sent[-1]
        assert cancel.method == "CANCEL" and branch == attempt.branch
        assert cancel.get_header("CSeq") == "1 CANCEL"

    run(script)


def test_a_late_200_after_abandoning_is_acked_and_hung_up_and_never_reaches_the_caller() -> None:
    async def script() -> None:
        _, attempt, client, caller = setup()
        await attempt.send()
        attempt.abandon()
        attempt.on_response(answer(client.sent[0][0], 200))
        assert client.methods() == ["INVITE", "CANCEL", "ACK", "BYE"]
        ack, bye = client.sent[2][0], client.sent[3][0]
        assert "completed elsewhere" in (ack.get_header("Reason") or "").lower()
        assert ack.uri == bye.uri == "sip:mk@10.0.0.9:5060"
        assert bye.get_header("CSeq") == "2 BYE"
        assert caller.sent == []

    run(script)


def test_an_attempt_that_never_reached_its_target_is_not_cancelled() -> None:
    async def script() -> None:
        _, attempt, client, _ = setup()
        attempt.abandon()
        assert client.sent == []

    run(script)


def test_forwarding_keeps_the_request_and_counts_down_hops() -> None:
    invite = decode(INVITE)
    assert isinstance(invite, SipRequest)
    invite.set_header("Max-Forwards", "junk")
    assert forwarded(invite).get_header("Max-Forwards") == "69"
    invite.set_header("Max-Forwards", "0")
    assert forwarded(invite).get_header("Max-Forwards") == "0"
