"""Radio units on the C2000 line protocol: PTT must be granted, STATUS acknowledged."""

from __future__ import annotations

import pytest

from harness.load.c2000 import RadioUnit, talkgroup
from harness.load.transport import OperationFailed
from tests.unit.load.fakes import FakeClock, ScriptedConnection


def network(*replies: str) -> tuple[RadioUnit, list[ScriptedConnection]]:
    """A radio unit whose n-th line gets the n-th reply; after the last, no reply at all."""
    clock = FakeClock()
    queue = list(replies)
    connections: list[ScriptedConnection] = []

    def connect(timeout: float) -> ScriptedConnection:
        conn = ScriptedConnection(lambda data: [queue.pop(0).encode()] if queue else [], clock)
        connections.append(conn)
        return conn

    return RadioUnit(connect, "unit-7", clock=clock), connections


def test_a_granted_ptt_and_an_acknowledged_status_succeed_on_one_connection() -> None:
    unit, connections = network("GRANT tg-rotterdam unit-7\n", "ACK unit-7\n")
    unit.ptt("tg-rotterdam", timeout=1.0)
    unit.status(2, timeout=1.0)
    assert [d.decode() for d in connections[0].sent] == [
        "PTT tg-rotterdam unit-7\n",
        "STATUS unit-7 2\n",
    ]
    assert len(connections) == 1


def test_an_err_reply_fails_with_the_network_reason() -> None:
    unit, _ = network("ERR no-such-talkgroup\n")
    with pytest.raises(OperationFailed, match=r"^ERR no-such-talkgroup$"):
        unit.ptt("tg-x", timeout=1.0)


def test_a_grant_for_another_unit_is_a_protocol_error() -> None:
    unit, _ = network("GRANT tg-x unit-8\n")
    with pytest.raises(OperationFailed, match="unexpected reply"):
        unit.ptt("tg-x", timeout=1.0)


def test_no_reply_times_out_and_drops_the_connection() -> None:
    unit, connections = network()
    with pytest.raises(TimeoutError):
        unit.status(1, timeout=0.5)
    assert connections[0].closed
    with pytest.raises(TimeoutError):
        unit.status(1, timeout=0.5)
    assert len(connections) == 2


def test_an_overlong_reply_line_is_refused() -> None:
    unit, _ = network("x" * 5000)
    with pytest.raises(OperationFailed, match="too long"):
        unit.ptt("tg-x", timeout=1.0)


def test_every_region_has_its_own_talkgroup() -> None:
    assert talkgroup("rotterdam") != talkgroup("noord-holland")
    assert " " not in talkgroup("zeeland-west-brabant")


def test_a_connection_the_network_closed_while_idle_is_replaced_before_the_next_request() -> None:
    unit, connections = network("GRANT tg-x unit-7\n", "ACK unit-7\n")
    unit.ptt("tg-x", timeout=1.0)
    connections[0].eof = True
    unit.status(3, timeout=1.0)
    assert len(connections) == 2
    assert connections[0].closed
