"""The call-takers of one meldkamer: a finite number of positions and a bounded queue.

A call that reaches the meldkamer takes a free position, or waits in the queue for one; when
every position is busy and the queue is full it is refused as busy, and telephony's alternate
routing (a 5xx answer) takes it to the backup region. A position stays taken while its
call-taker picks up (the answer delay) and handles the call (`handling`: talk and wrap-up,
counted from the pick-up), then frees itself. A call whose caller gives up while it waits
(CANCEL, telephony's timeout) leaves the queue.

Settings (the topology's `call_takers:`, docs/topology.md): `positions` (None: as many as
calls, today's behaviour), `queue` (calls waiting for a position; None: no bound), `handling`
(seconds a position stays taken after the pick-up; 0: only while answering).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BUSY_WARNING = "all call-takers busy"


@dataclass(frozen=True)
class Room:
    """How a meldkamer's room is staffed."""

    positions: int | None = None
    queue: int | None = None
    answer_delay: float = 0.0  # seconds from pick-up to answer (the answerer waits them)
    handling: float = 0.0

    @property
    def bounded(self) -> bool:
        return self.positions is not None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Room:
        def count(name: str) -> int | None:
            value = settings.get(name)
            return None if value is None else int(value)

        return cls(
            positions=count("positions"),
            queue=count("queue"),
            answer_delay=float(settings.get("answer_delay") or 0.0),
            handling=float(settings.get("handling") or 0.0),
        )


class Busy(Exception):
    """Every position is taken and the queue is full."""


class CallTakers:
    """Positions as a semaphore, waiting calls counted against the queue's bound."""

    def __init__(self, room: Room) -> None:
        if room.positions is not None and room.positions < 1:
            raise ValueError(f"positions must be at least 1, not {room.positions}")
        self.room = room
        self._free = asyncio.Semaphore(room.positions) if room.positions is not None else None
        self.waiting = 0
        self.busy = 0  # positions taken
        self._releases: set[asyncio.TimerHandle] = set()

    async def take(self) -> None:
        """Wait for a position; raises Busy at once when none is free and the queue is full.
        Cancelled while waiting: the call leaves the queue and holds nothing."""
        if self._free is None:
            self.busy += 1
            return
        if self._free.locked():
            if self.room.queue is not None and self.waiting >= self.room.queue:
                raise Busy(BUSY_WARNING)
            self.waiting += 1
            try:
                await self._free.acquire()
            finally:
                self.waiting -= 1
        else:
            await self._free.acquire()
        self.busy += 1

    def answered(self) -> None:
        """The position was given a call to answer: it frees itself once the call-taker has
        answered it and handled it."""
        hold = self.room.answer_delay + self.room.handling
        if hold <= 0:
            self.release()
            return
        loop = asyncio.get_running_loop()
        handle: asyncio.TimerHandle

        def done() -> None:
            self._releases.discard(handle)
            self.release()

        handle = loop.call_later(hold, done)
        self._releases.add(handle)

    def release(self) -> None:
        """Free a position at once (the call was refused after it took one)."""
        self.busy -= 1
        if self._free is not None:
            self._free.release()

    def close(self) -> None:
        for handle in self._releases:
            handle.cancel()
        self._releases.clear()
