"""The durable stores: GMS incidents and a meldkamer's buffer of unacknowledged incidents."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_services.gms import IncidentStore
from mock_services.meldkamer.buffer import IncidentBuffer


def test_an_incident_is_stored_once_per_idempotency_key(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "gms.sqlite")
    first, new = store.register("mk-a:c1", "c1", "rotterdam", "ann", {"known": False})
    again, repeated_new = store.register("mk-a:c1", "c1", "rotterdam", "ann", None)
    assert new and not repeated_new
    assert again == first and first.enriched
    store.register("mk-b:c1", "c1", "rotterdam", "ann", None)  # another meldkamer: another key
    assert store.counts_by_call() == {"c1": 2}
    assert store.counts_by_call("c1") == {"c1": 2}
    assert store.counts_by_call("nope") == {}


def test_stored_incidents_survive_reopening_the_store(tmp_path: Path) -> None:
    store = IncidentStore(tmp_path / "gms.sqlite")
    for n in range(20):
        store.register(f"k{n}", f"c{n}", None, None, None)
    # the first store stays open: what a second one reads was committed, not merely buffered
    reopened = IncidentStore(tmp_path / "gms.sqlite")
    assert len(reopened.counts_by_call()) == 20
    assert reopened.find("k7") is not None


def test_the_buffer_keeps_incidents_oldest_first_until_removed(tmp_path: Path) -> None:
    buffer = IncidentBuffer(tmp_path / "buffer.sqlite")
    buffer.add("k1", {"call_id": "c1"})
    buffer.add("k2", {"call_id": "c2"})
    buffer.add("k1", {"call_id": "c1"})  # buffered twice: kept once
    assert len(buffer) == 2
    assert [k for k, _ in buffer.oldest(10)] == ["k1", "k2"]
    assert buffer.oldest(1) == [("k1", {"call_id": "c1"})]
    buffer.remove("k1")
    buffer.remove("k1")
    assert len(buffer) == 1 and [k for k, _ in buffer.oldest(10)] == ["k2"]


def test_a_durable_buffer_survives_a_restart_and_a_memory_one_does_not_need_a_dir(
    tmp_path: Path,
) -> None:
    IncidentBuffer(tmp_path / "b.sqlite").add("k1", {"call_id": "c1"})
    assert len(IncidentBuffer(tmp_path / "b.sqlite")) == 1
    memory = IncidentBuffer(None)
    memory.add("k", {"call_id": "c"})
    assert len(memory) == 1


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "remove"]), st.integers(0, 9)), max_size=40))
def test_the_buffer_holds_exactly_the_keys_added_and_not_yet_removed(
    operations: list[tuple[str, int]],
) -> None:
    buffer, expected = IncidentBuffer(None), set()
    for operation, n in operations:
        key = f"k{n}"
        if operation == "add":
            buffer.add(key, {"call_id": key})
            expected.add(key)
        else:
            buffer.remove(key)
            expected.discard(key)
    assert len(buffer) == len(expected)
    assert {k for k, _ in buffer.oldest(100)} == expected
