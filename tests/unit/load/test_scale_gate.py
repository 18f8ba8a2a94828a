"""The pieces of scale-out without Locust: the start gate shifts the run's clock onto the t = 0
the master chose, and a worker's journal lines reach the master's journal, each request marked
with the worker that sent it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from harness.journal import JournalWriter, Request, read_events
from harness.load.config import LoadConfig
from harness.load.journal_relay import RECORDS, RelayWriter, receive_into
from harness.load.start_gate import StartGate


def config() -> LoadConfig:
    return LoadConfig("j.jsonl", wall_start=1000.0, end=1030.0, marks=((0.0, 0.0),), seed=1)


def test_a_later_t0_moves_the_end_with_it_and_reaches_every_user_class_and_listener() -> None:
    cls = SimpleNamespace(load=config())
    heard: list[LoadConfig] = []
    gate = StartGate(config(), [cls])
    gate.listeners.append(heard.append)
    gate.on_go(SimpleNamespace(data={"wall_start": 1004.5, "workers": 2}))
    assert gate.opened.is_set()
    assert (gate.wait().wall_start, gate.wait().end) == (1004.5, 1034.5)  # same replay length
    assert cls.load is gate.load and heard == [gate.load]
    assert gate.workers == 2


def test_a_local_runner_counts_as_one_worker() -> None:
    gate = StartGate(config(), [])
    gate.open(1000.0, workers=0)
    assert gate.workers == 1


def test_a_workers_requests_reach_the_masters_journal_in_batches_marked_with_the_worker(
    tmp_path: Path,
) -> None:
    sent: list[tuple[str, Any]] = []
    relay = RelayWriter(lambda kind, data: sent.append((kind, data)))
    made = [
        Request(1000.0 + i, float(i), "callers-112", i % 2 == 0, 0.01, "rotterdam")
        for i in range(5)
    ]
    for request in made:
        relay.write(request)
    relay.flush()
    relay.flush()  # nothing new: no empty message
    assert [kind for kind, _ in sent] == [RECORDS] and relay.sent == 5
    journal = tmp_path / "journal.jsonl"
    with JournalWriter(journal) as writer:
        on_records = receive_into(writer)
        for _, data in sent:
            on_records(msg=SimpleNamespace(data=data, node_id="host-1_abc"))
    assert list(read_events(journal)) == [replace(r, worker="host-1_abc") for r in made]
