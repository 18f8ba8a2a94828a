"""Answering calls (meldkamer, police contact centre): the SIP UAS behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiosipua import SipRequest

from mock_services.core.faults import AppFault, FaultTable
from mock_services.core.sip_codec import decode
from mock_services.core.sip_uas import REASON_COMPLETED_ELSEWHERE, CallAnswerer, IncomingCall
from mock_services.core.stats import Stats
from tests.unit.mock_services.fakes import FakeSipConnection


def request(
    method: str, call_id: str = "c1", seq: int = 1, number: str = "112", **headers: str
) -> SipRequest:
    lines = [
        f"{method} sip:{number}@mk SIP/2.0",
        "Via: SIP/2.0/TCP telephony;branch=z9hG4bK1",
        "From: <sip:ann@h>;tag=a",
        f"To: <sip:{number}@mk>",
        f"Call-ID: {call_id}",
        f"CSeq: {seq} {method}",
        "X-Caller-Region: rotterdam",
        *(f"{name.replace('_', '-')}: {value}" for name, value in headers.items()),
    ]
    message = decode(("\r\n".join(lines) + "\r\n\r\n").encode())
    assert isinstance(message, SipRequest)
    return message


class Desk:
    """An answerer with a fake connection, run inside one event loop."""

    def __init__(
        self, admit: Callable[[IncomingCall], Awaitable[int | None]] | None = None, **options: Any
    ) -> None:
        self.faults = FaultTable()
        self.stats = Stats()
        self.established: list[IncomingCall] = []
        self.answerer = CallAnswerer(
            "meldkamer-rotterdam",
            self.stats,
            self.faults,
            contact="<sip:mk@127.0.0.1:1>",
            admit=admit,
            on_established=self.established.append,
            **options,
        )
        self.conn = FakeSipConnection()

    def send(self, message: SipRequest) -> None:
        self.answerer.on_message(self.conn, message)  # type: ignore[arg-type]


def run(script: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(script())  # type: ignore[arg-type]


def test_a_call_gets_trying_ringing_and_an_answer_saying_who_answered() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("INVITE"))
        await asyncio.sleep(0)
        assert desk.conn.statuses() == [100, 180, 200]
        ok = desk.conn.sent[-1]
        assert ok.get_header("X-Answered-By") == "meldkamer-rotterdam"
        assert ";tag=" in ok.get_header("To") and ok.get_header("Contact")

    run(script)


def test_the_call_is_established_by_its_ack_and_registered_once() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("INVITE"))
        desk.send(request("ACK"))
        desk.send(request("ACK"))
        assert [c.call_id for c in desk.established] == ["c1"]
        call = desk.established[0]
        assert call.caller_region == "rotterdam" and call.caller == "ann"
        desk.send(request("BYE", seq=2))
        assert desk.conn.statuses()[-1] == 200
        assert desk.answerer.calls == {}

    run(script)


def test_an_ack_saying_completed_elsewhere_establishes_nothing() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("INVITE"))
        desk.send(request("ACK", Reason=REASON_COMPLETED_ELSEWHERE))
        desk.send(request("BYE", seq=2, Reason=REASON_COMPLETED_ELSEWHERE))
        assert desk.established == []
        assert desk.stats["calls.completed_elsewhere"] == 1

    run(script)


def test_a_bye_before_the_ack_still_registers_the_answered_call() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("INVITE"))
        desk.send(request("BYE", seq=2))
        assert [c.call_id for c in desk.established] == ["c1"]

    run(script)


def test_a_failed_admission_refuses_the_call_with_its_status() -> None:
    async def refuse(call: IncomingCall) -> int | None:
        return 503

    async def script() -> None:
        desk = Desk(admit=refuse)
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100, 503]
        desk.send(request("ACK"))
        assert desk.established == [] and desk.answerer.calls == {}

    run(script)


def test_cancel_while_waiting_for_admission_gives_200_and_487() -> None:
    async def wait(call: IncomingCall) -> int | None:
        await asyncio.sleep(10)
        return None

    async def script() -> None:
        desk = Desk(admit=wait)
        desk.send(request("INVITE"))
        await asyncio.sleep(0)
        desk.send(request("CANCEL"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100, 200, 487]
        assert desk.conn.sent[1].get_header("CSeq") == "1 CANCEL"
        assert desk.answerer.calls == {}

    run(script)


def test_cancel_or_bye_for_an_unknown_call_gets_481() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("CANCEL", call_id="nope"))
        desk.send(request("BYE", call_id="nope", seq=2))
        assert desk.conn.statuses() == [481, 481]

    run(script)


def test_a_sip_fault_refuses_calls_in_its_scope_only() -> None:
    async def script() -> None:
        desk = Desk()
        desk.faults.put("dc.x", AppFault("sip", 486, scope="0900"))
        desk.send(request("INVITE", call_id="a", number="09008844"))
        desk.send(request("INVITE", call_id="b", number="112"))
        await asyncio.sleep(0.01)
        by_call = {(m.call_id, m.status_code) for m in desk.conn.sent}
        assert ("a", 486) in by_call and ("a", 200) not in by_call
        assert ("b", 200) in by_call

    run(script)


def test_a_drop_fault_answers_nothing_at_all() -> None:
    async def script() -> None:
        desk = Desk()
        desk.faults.put("dc.x", AppFault("drop"))
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.sent == []

    run(script)


def test_a_garbage_fault_writes_bytes_that_are_no_sip_answer() -> None:
    async def script() -> None:
        desk = Desk()
        desk.faults.put("dc.x", AppFault("garbage"))
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100]
        assert desk.conn.raw and not desk.conn.raw[0].startswith(b"SIP/2.0")

    run(script)


def test_a_slow_fault_delays_the_answer_but_not_the_trying() -> None:
    async def script() -> None:
        desk = Desk()
        desk.faults.put("dc.x", AppFault("slow", delay=0.05))
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100]
        await asyncio.sleep(0.1)
        assert desk.conn.statuses() == [100, 180, 200]

    run(script)


def test_options_is_answered_with_what_is_allowed() -> None:
    async def script() -> None:
        desk = Desk()
        desk.send(request("OPTIONS"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [200]
        assert "INVITE" in desk.conn.sent[0].get_header("Allow")

    run(script)


def test_ringing_calls_on_a_lost_connection_are_forgotten() -> None:
    async def wait(call: IncomingCall) -> int | None:
        await asyncio.sleep(10)
        return None

    async def script() -> None:
        desk = Desk(admit=wait)
        desk.send(request("INVITE"))
        await asyncio.sleep(0)
        call = desk.answerer.calls["c1"]
        desk.answerer.connection_lost(desk.conn)  # type: ignore[arg-type]
        await asyncio.sleep(0)
        assert desk.answerer.calls == {}
        assert call.task is not None and call.task.cancelled()

    run(script)
