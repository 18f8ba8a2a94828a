"""Undo records: each driver owns a typed record, stored in applied.json in the shape older
harness versions wrote, and read back by its driver's name (no sockets)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.faults import applied, undo_registry
from harness.faults.app import AppDriver, AppUndo
from harness.faults.applied import AppliedStore, Entry
from harness.faults.cleanup import cleanup
from harness.faults.container import ContainerDriver, ContainerUndo
from harness.faults.process import ProcessDriver, ProcessUndo
from harness.faults.toxics import LinkUp, ToxicOff, ToxiproxyDriver
from harness.faults.undo import UndoRecord, Unknown
from harness.model.effects import AppFault, Effect, LinkDown, ProcessFault, Toxic
from harness.supervision import SupervisorClient
from harness.toxiproxy.client import ToxiproxyClient

LATENCY = (("jitter", 0), ("latency", 3000))
SOCKET = "/run/dispatch-chaos/supervisor.sock"

# applied.json as the harness wrote it before undo records were typed (a run killed by kill -9
# then must still be cleaned up by this one)
WRITTEN_BEFORE = """{
 "effects": [
  {"effect": {"attributes": [["jitter", 0], ["latency", 3000]], "fault": "slow",
              "kind": "Toxic", "link": "telephony->meldkamer-noord", "stream": "downstream",
              "toxicity": 1.0, "type": "latency"},
   "undo": {"api": "127.0.0.1:8474", "driver": "toxiproxy",
            "proxy": "telephony->meldkamer-noord", "toxic": "dc.slow"}},
  {"effect": {"fault": "cut", "kind": "LinkDown", "link": "meldkamer-noord->gms"},
   "undo": {"api": "127.0.0.1:8474", "driver": "toxiproxy", "enable": true,
            "proxy": "meldkamer-noord->gms"}},
  {"effect": {"action": "pause", "container": false, "epoch": 0, "fault": "freeze",
              "kind": "ProcessFault", "service": "gms"},
   "undo": {"driver": "process", "service": "gms",
            "socket": "/run/dispatch-chaos/supervisor.sock", "undo": "CONT"}},
  {"effect": {"fault": "busy", "kind": "AppFault", "service": "gms",
              "spec": [["mode", "http"], ["status", 500]]},
   "undo": {"driver": "app", "url": "http://127.0.0.1:4100/_control/faults/dc.busy"}},
  {"effect": {"action": "kill", "container": true, "epoch": 0, "fault": "crash",
              "kind": "ProcessFault", "service": "gms"},
   "undo": {"container": "dispatch-chaos-gms-1", "driver": "docker", "undo": "start"}}
 ],
 "pid": 25856,
 "toxiproxy": "127.0.0.1:8474",
 "version": 1
}"""

RECORDS: list[UndoRecord] = [
    ToxicOff("127.0.0.1:8474", "telephony->meldkamer-noord", "dc.slow"),
    LinkUp("127.0.0.1:8474", "meldkamer-noord->gms"),
    ProcessUndo(SOCKET, "gms", "CONT"),
    AppUndo("http://127.0.0.1:4100/_control/faults/dc.busy"),
    ContainerUndo("dispatch-chaos-gms-1", "start"),
]


def stored(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = tmp_path / "applied.json"
    path.write_text(text)
    state = applied.load(path)
    assert state is not None
    return state.undo_records


def test_an_applied_json_written_before_typed_records_reads_back_as_each_drivers_record(
    tmp_path: Path,
) -> None:
    records = [undo_registry.decode(raw) for raw in stored(tmp_path, WRITTEN_BEFORE)]
    assert records == RECORDS


def test_each_record_is_stored_with_exactly_the_keys_it_was_read_from(tmp_path: Path) -> None:
    for raw in stored(tmp_path, WRITTEN_BEFORE):
        assert undo_registry.decode(raw).to_dict() == raw


def test_the_drivers_write_the_same_applied_json_as_before(tmp_path: Path) -> None:
    toxiproxy = ToxiproxyDriver(ToxiproxyClient("127.0.0.1:8474"))
    app = AppDriver({"gms": "127.0.0.1:4100"})
    effects: list[tuple[Effect, Any]] = [
        (Toxic("slow", "telephony->meldkamer-noord", "latency", attributes=LATENCY), toxiproxy),
        (LinkDown("cut", "meldkamer-noord->gms"), toxiproxy),
        (ProcessFault("freeze", "gms", "pause"), ProcessDriver(SupervisorClient(SOCKET))),
        (AppFault("busy", "gms", (("mode", "http"), ("status", 500))), app),
        (
            ProcessFault("crash", "gms", "kill", container=True),
            ContainerDriver({"gms": "dispatch-chaos-gms-1"}),
        ),
    ]
    path = tmp_path / "applied.json"
    AppliedStore(path, "127.0.0.1:8474").save(Entry(e, d.undo_record(e)) for e, d in effects)
    app.close()
    toxiproxy.client.close()
    written = json.loads(path.read_text())
    assert written["effects"] == json.loads(WRITTEN_BEFORE)["effects"]


def test_each_record_is_labelled_in_the_words_of_the_cleanup_report() -> None:
    assert [r.label() for r in RECORDS] == [
        "toxiproxy telephony->meldkamer-noord dc.slow",
        "toxiproxy meldkamer-noord->gms disabled",
        "process gms (CONT)",
        "app fault http://127.0.0.1:4100/_control/faults/dc.busy",
        "container dispatch-chaos-gms-1 (start)",
    ]


def test_cleanup_undoes_processes_first_then_app_faults_then_toxiproxy() -> None:
    unknown = Unknown({"driver": "fake"})
    in_order = sorted([unknown, *RECORDS], key=lambda r: r.rank)
    assert in_order == [RECORDS[2], RECORDS[4], RECORDS[3], RECORDS[0], RECORDS[1], unknown]


def test_a_restart_cut_short_is_stored_with_no_undo_call_and_read_back_so() -> None:
    raw = {"container": "dispatch-chaos-gms-1", "driver": "docker", "undo": None}
    assert undo_registry.decode(raw) == ContainerUndo("dispatch-chaos-gms-1", None)
    assert undo_registry.decode(raw).to_dict() == raw


def test_a_record_of_a_driver_unknown_here_cannot_be_undone_here() -> None:
    raw = {"driver": "fake", "label": "down a->c", "name": "net"}
    record = undo_registry.decode(raw)
    assert record == Unknown(raw)
    assert record.label() == '{"driver": "fake", "label": "down a->c", "name": "net"}'
    with pytest.raises(ValueError, match="no way to undo it here"):
        record.undo()


def test_a_record_lacking_what_its_driver_needs_is_unreadable_not_an_error() -> None:
    record = undo_registry.decode({"driver": "process", "service": "gms", "undo": "CONT"})
    assert isinstance(record, Unknown)
    with pytest.raises(ValueError, match=r"unreadable undo record \('socket'\)"):
        record.undo()


def test_cleanup_reports_what_it_cannot_undo_and_keeps_the_state_file(tmp_path: Path) -> None:
    path = tmp_path / "applied.json"
    path.write_text(
        '{"effects": [{"effect": {"kind": "Toxic"}, "undo": {"driver": "fake", "name": "net"}},'
        ' {"effect": {"kind": "Toxic"}, "undo": {"driver": null}}],'
        ' "pid": 1, "toxiproxy": null, "version": 1}'
    )
    report = cleanup(tmp_path)
    assert str(report) == (
        'FAILED: {"driver": "fake", "name": "net"}: no way to undo it here\n'
        'FAILED: {"driver": null}: no way to undo it here'
    )
    assert not report.ok
    assert path.exists()
