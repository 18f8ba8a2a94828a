"""A meldkamer's call-takers: finite positions, a bounded queue, busy when both are full."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from mock_services.core.config import ServiceConfig
from mock_services.core.sip_refusal import Refusal
from mock_services.core.sip_uas import CallAnswerer
from mock_services.meldkamer.call_takers import BUSY_WARNING, Busy, CallTakers, Room
from mock_services.meldkamer.service import Meldkamer
from tests.unit.mock_services.fakes import FakeSipConnection
from tests.unit.mock_services.test_call_answerer import request


def run(script: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(script(), 5.0))


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_an_unstaffed_room_is_unbounded_as_before() -> None:
    async def script() -> None:
        takers = CallTakers(Room.from_settings({}))
        for _ in range(1000):
            await takers.take()
        assert takers.busy == 1000 and takers.waiting == 0

    assert not Room.from_settings({}).bounded
    run(script)


def test_the_room_reads_its_settings() -> None:
    room = Room.from_settings({"positions": 3, "queue": 5, "answer_delay": 0.5, "handling": 2})
    assert room == Room(positions=3, queue=5, answer_delay=0.5, handling=2.0)
    with pytest.raises(ValueError, match="at least 1"):
        CallTakers(Room(positions=0))


def test_calls_beyond_the_positions_wait_in_the_queue_then_get_busy() -> None:
    async def script() -> None:
        takers = CallTakers(Room(positions=2, queue=1))
        await takers.take()
        await takers.take()
        queued = asyncio.ensure_future(takers.take())
        await settle()
        assert not queued.done() and takers.waiting == 1
        with pytest.raises(Busy, match=BUSY_WARNING):
            await takers.take()
        takers.release()  # one call-taker is free again: the queued call gets them
        await settle()
        assert queued.done() and takers.waiting == 0 and takers.busy == 2

    run(script)


def test_no_queue_means_busy_as_soon_as_every_position_is_taken() -> None:
    async def script() -> None:
        takers = CallTakers(Room(positions=1, queue=0))
        await takers.take()
        with pytest.raises(Busy):
            await takers.take()

    run(script)


def test_a_caller_who_gives_up_leaves_the_queue() -> None:
    async def script() -> None:
        takers = CallTakers(Room(positions=1, queue=1))
        await takers.take()
        queued = asyncio.ensure_future(takers.take())
        await settle()
        queued.cancel()
        await settle()
        assert takers.waiting == 0
        second = asyncio.ensure_future(takers.take())  # the queue has room again
        await settle()
        assert takers.waiting == 1
        takers.release()
        await settle()
        assert second.done() and takers.busy == 1

    run(script)


def test_an_answered_call_holds_its_position_for_answer_delay_plus_handling() -> None:
    async def script() -> None:
        takers = CallTakers(Room(positions=1, queue=0, answer_delay=0.05, handling=0.1))
        await takers.take()
        takers.answered()
        await asyncio.sleep(0.1)
        with pytest.raises(Busy):  # still picking up or talking
            await takers.take()
        await asyncio.sleep(0.1)
        await takers.take()  # free again after 0.15 s
        assert takers.busy == 1

    run(script)


def test_without_answer_delay_or_handling_a_position_frees_at_the_answer() -> None:
    async def script() -> None:
        takers = CallTakers(Room(positions=1, queue=0))
        await takers.take()
        takers.answered()
        await takers.take()

    run(script)


# --- the meldkamer's admission ---------------------------------------------------------


def meldkamer(**settings: Any) -> Meldkamer:
    return Meldkamer(ServiceConfig(name="meldkamer-rotterdam", kind="meldkamer", settings=settings))


def test_a_meldkamer_without_call_takers_answers_calls_as_before() -> None:
    async def script() -> None:
        room = meldkamer()
        await room.setup()
        assert not room.screens_calls()  # answered at once, no admission step

    run(script)


def test_a_full_meldkamer_refuses_with_503_naming_the_busy_call_takers() -> None:
    async def script() -> None:
        room = meldkamer(positions=1, queue=0, handling=10.0)
        await room.setup()
        assert room.screens_calls()
        call: Any = None  # no police-ict: admission only asks the call-takers
        assert await room.admit(call) is None
        refused = await room.admit(call)
        assert refused == Refusal(503, BUSY_WARNING)
        assert room.stats["calls.busy"] == 1
        room.call_takers.close()

    run(script)


def test_the_busy_answer_says_so_in_its_warning_and_a_freed_position_answers_again() -> None:
    async def script() -> None:
        room = meldkamer(positions=1, queue=0, handling=0.05)
        await room.setup()
        conn = FakeSipConnection()
        answerer = CallAnswerer(
            room.name, room.stats, room.faults, contact="<sip:mk@127.0.0.1:1>", admit=room.admit
        )
        answerer.on_message(conn, request("INVITE", call_id="first"))  # type: ignore[arg-type]
        await settle()
        answerer.on_message(conn, request("INVITE", call_id="second"))  # type: ignore[arg-type]
        await settle()
        busy = conn.sent[-1]
        assert (busy.call_id, busy.status_code) == ("second", 503)
        assert busy.get_header("Warning") == f'399 meldkamer-rotterdam "{BUSY_WARNING}"'
        await asyncio.sleep(0.1)  # the first call's call-taker is free again
        answerer.on_message(conn, request("INVITE", call_id="third"))  # type: ignore[arg-type]
        await settle()
        assert (conn.sent[-1].call_id, conn.sent[-1].status_code) == ("third", 200)
        room.call_takers.close()

    run(script)
