"""Workers' requests reach the master's journal through Locust's messaging, not a shared file.

A worker may run on another host (`harness worker`), where the run's journal does not exist:
its recorder writes into a `RelayWriter`, which sends the journal lines to the master in
batches (each flush, every 100 ms); the master writes what it receives into the one journal.
Locust delivers custom messages over the same ZeroMQ connection as its own (in order, per
worker). No Locust import: both ends are plain callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from harness.journal import Event, JournalWriter, Request, decode

RECORDS = "dc-journal"  # the message type: {"lines": [journal line, ...]}


class RelayWriter:
    """A worker's journal: what the recorder writes goes to the master at each flush."""

    def __init__(self, send: Callable[[str, Any], None]) -> None:
        self.send = send  # Locust's runner.send_message
        self.lines: list[str] = []
        self.sent = 0  # journal lines handed to Locust so far

    def write(self, event: Event) -> None:
        self.lines.append(event.to_json())

    def flush(self) -> None:
        if self.lines:
            lines, self.lines = self.lines, []
            self.send(RECORDS, {"lines": lines})
            self.sent += len(lines)

    def close(self) -> None:
        self.flush()


def receive_into(writer: JournalWriter) -> Callable[..., None]:
    """The master's handler for RECORDS: each line received becomes a line of its journal,
    a request marked with the worker that sent it (Locust's node id: host name and a uuid)."""

    def on_records(msg: Any, **_: Any) -> None:
        for line in msg.data["lines"]:
            event = decode(line)
            if isinstance(event, Request):
                event = replace(event, worker=msg.node_id)
            if event is not None:
                writer.write(event)

    return on_records
