"""A refused call says why: a Warning (RFC 3261 §20.43) and a Reason (RFC 3326) naming the
dependency that failed, or the application fault."""

from __future__ import annotations

import asyncio

from mock_services.core.faults import AppFault
from mock_services.core.sip_refusal import Refusal, dependency_failed, quoted
from mock_services.core.sip_uas import IncomingCall
from tests.unit.mock_services.test_call_answerer import Desk, request, run


def test_a_dependency_not_reached_is_unreachable_one_that_answered_badly_failed() -> None:
    assert dependency_failed("police-ict", "timeout") == "police-ict unreachable: timeout"
    assert (
        dependency_failed("police-ict", "connection refused")
        == "police-ict unreachable: connection refused"
    )
    assert dependency_failed("police-ict", "HTTP 500") == "police-ict failed: HTTP 500"


def test_the_headers_name_the_refusing_service_and_quote_the_text() -> None:
    headers = Refusal(503, "police-ict unreachable: timeout").headers("meldkamer-rotterdam")
    assert headers == {
        "Warning": '399 meldkamer-rotterdam "police-ict unreachable: timeout"',
        "Reason": 'SIP ;cause=503 ;text="police-ict unreachable: timeout"',
    }
    assert Refusal(486).headers("meldkamer-rotterdam") == {}  # nothing to say: no headers


def test_a_quoted_text_escapes_quotes_and_stays_on_one_short_line() -> None:
    assert quoted('say "no"\r\n\\') == '"say \\"no\\" \\\\"'
    assert len(quoted("x" * 500)) == 122


def test_a_refusal_for_a_failed_dependency_carries_its_warning() -> None:
    async def refuse(call: IncomingCall) -> Refusal:
        return Refusal(503, "police-ict unreachable: timeout")

    async def script() -> None:
        desk = Desk(admit=refuse)  # type: ignore[arg-type]
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100, 503]
        refused = desk.conn.sent[-1]
        assert refused.get_header("Warning") == (
            '399 meldkamer-rotterdam "police-ict unreachable: timeout"'
        )
        assert desk.stats["calls.refused.503"] == 1

    run(script)


def test_an_application_fault_says_it_is_one() -> None:
    async def script() -> None:
        desk = Desk()
        desk.faults.put("dc.refuse", AppFault("sip", 480))
        desk.send(request("INVITE"))
        await asyncio.sleep(0.01)
        assert desk.conn.statuses() == [100, 480]
        assert desk.conn.sent[-1].get_header("Warning") == (
            '399 meldkamer-rotterdam "application fault: sip 480"'
        )

    run(script)
