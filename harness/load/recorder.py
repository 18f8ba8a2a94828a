"""Every Locust request becomes a journal `Request`: one listener on Locust's request event.

SIP calls and radio exchanges fire the request event themselves, HTTP requests are fired by
FastHttpUser; all carry the traffic class and region (and call id, answering meldkamer, dispatch
route) in the event's `context`. Listening in one place keeps the journal and Locust's
statistics counting exactly the same requests. No Locust import here: the listener is a plain
callable, tested without Locust.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from harness.clock import Marks, interpolate
from harness.journal import Event, Request
from harness.load.transport import describe

MAX_ERROR = 200  # characters of an error kept in the journal


class JournalSink(Protocol):
    """The run's journal (harness.journal.JournalWriter), or a worker's relay to its master."""

    def write(self, event: Event) -> None: ...


class Recorder:
    """Writes a journal `Request` for each Locust request event that names its traffic."""

    def __init__(self, writer: JournalSink, wall_start: float, marks: Marks) -> None:
        self.writer = writer
        self.wall_start = wall_start
        self.marks = marks  # the run's clock (harness/clock.py): wall offset -> scenario time

    def scenario_time(self, wall: float) -> float:
        return interpolate(self.marks, wall - self.wall_start, 1)

    def on_request(
        self,
        name: str,
        response_time: float,
        exception: BaseException | None = None,
        context: dict[str, Any] | None = None,
        start_time: float | None = None,
        **_: Any,
    ) -> None:
        """Locust's request event: `response_time` in ms, `start_time` in unix seconds."""
        context = context or {}
        traffic = context.get("traffic")
        if traffic is None:
            return  # not one of ours (e.g. a request a plug-in made)
        latency = response_time / 1000.0
        wall = start_time if start_time is not None else time.time() - latency
        self.writer.write(
            Request(
                wall=wall,
                t=self.scenario_time(wall),
                traffic=traffic,
                ok=exception is None,
                latency=latency,
                region=context.get("region"),
                name=name,
                error=_error(exception, context),
                call_id=context.get("call_id"),
                answered_by=context.get("answered_by"),
                via=context.get("via"),
            )
        )


def _error(exception: BaseException | None, context: dict[str, Any]) -> str | None:
    """Why a request failed; a succeeded one may carry a note (a call answered, BYE lost)."""
    text = describe(exception) if exception is not None else context.get("error")
    return str(text)[:MAX_ERROR] if text else None
