"""The journal: whole lines from many writers, torn lines skipped, tails see only new events."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from harness.journal import JournalTail, JournalWriter, Request, Transition, read_events

WRITER = """
import sys
from pathlib import Path
from harness.journal import JournalWriter, Request
with JournalWriter(Path(sys.argv[1]), flush_every=0.0) as journal:
    for i in range(500):
        journal.write(Request(wall=float(i), t=0.0, traffic=sys.argv[2], ok=True, latency=0.001,
                              name="x" * (i % 300)))
"""


def test_events_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with JournalWriter(path) as journal:
        journal.write(
            Request(
                wall=1.0,
                t=2.0,
                traffic="callers-112",
                ok=True,
                latency=0.01,
                region="rotterdam",
                call_id="abc",
            )
        )
        journal.write(
            Transition(
                wall=3.0,
                t=4.0,
                fault="f",
                effect="down a->b",
                target="a->b",
                on=True,
                scheduled=2.99,
            )
        )
    events = list(read_events(path))
    assert events[0] == Request(
        wall=1.0,
        t=2.0,
        traffic="callers-112",
        ok=True,
        latency=0.01,
        region="rotterdam",
        call_id="abc",
    )
    assert isinstance(events[1], Transition)
    assert abs(events[1].lag - 0.01) < 1e-9


def test_concurrent_writers_never_interleave_lines(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), f"w{n}"]) for n in range(4)
    ]
    for w in workers:
        assert w.wait(60) == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 2000
    assert len(list(read_events(path))) == 2000


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with JournalWriter(path) as journal:
        journal.write(Request(wall=1.0, t=0.0, traffic="a", ok=True, latency=0.0))
    with path.open("a") as f:
        f.write('{"kind":"request","wall":2.0,"t"')
    assert len(list(read_events(path))) == 1


def test_a_tail_returns_each_event_once_even_across_partial_writes(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    tail = JournalTail(path)
    assert tail.read() == []
    line = Request(wall=1.0, t=0.0, traffic="a", ok=True, latency=0.0).to_json()
    with path.open("a") as f:
        f.write(line[:10])
        f.flush()
        assert tail.read() == []
        f.write(line[10:] + "\n")
    assert len(tail.read()) == 1
    assert tail.read() == []
