"""`harness cleanup`: everything a run left behind goes, from another process, any number of times."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from harness import paths, procs
from harness.faults.app import AppUndo
from harness.faults.applied import AppliedStore, Entry
from harness.faults.cleanup import cleanup
from harness.faults.process import ProcessUndo
from harness.faults.reconciler import Reconciler
from harness.faults.toxics import ToxicOff, ToxiproxyDriver
from harness.model.effects import AppFault, ProcessFault
from harness.model.scenario import ToxicAction
from harness.schedule import Schedule
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.faults.conftest import LINKS
from tests.unit.schedule.scenarios import fault, scenario

pytestmark = pytest.mark.integration

LATENCY = ToxicAction("latency", (("jitter", 0), ("latency", 50)))


def leave_faults_behind(client: ToxiproxyClient, state_dir: Path) -> None:
    """A run that applied faults and died without clearing them (kill -9)."""
    s = scenario(fault("cut"), fault("slow", LATENCY, links=("b->c", "c->d")))
    r = Reconciler(
        Schedule(s),
        [ToxiproxyDriver(ToxiproxyClient(client.api), LINKS)],
        None,
        s.clock,
        AppliedStore(paths.applied_file(state_dir), client.api),
    )
    r.step(1.0)
    r.close()


def clean(client: ToxiproxyClient) -> bool:
    return all(
        p.enabled and not any(t.name.startswith("dc.") for t in p.toxics)
        for p in client.proxies().values()
    )


def test_cleanup_removes_everything_a_dead_run_left_and_deletes_the_state_file(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    leave_faults_behind(toxiproxy, tmp_path)
    toxiproxy.add_toxic("a->c", "dc.unlisted", "latency", attributes={"latency": 1})
    toxiproxy.add_toxic("a->c", "not-ours", "latency", attributes={"latency": 1})
    assert not clean(toxiproxy)
    report = cleanup(tmp_path)
    assert report.ok, str(report)
    assert clean(toxiproxy)
    assert [t.name for t in toxiproxy.proxies()["a->c"].toxics] == ["not-ours"]
    assert len(report.removed) == 4
    assert "toxiproxy a->c dc.unlisted (unlisted)" in report.removed
    assert not paths.applied_file(tmp_path).exists()


def test_cleanup_is_idempotent(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    leave_faults_behind(toxiproxy, tmp_path)
    assert cleanup(tmp_path).ok
    again = cleanup(tmp_path)
    assert again.ok
    assert str(again) == "nothing to clean up"
    assert clean(toxiproxy)


def test_cleanup_sweeps_the_running_stacks_toxiproxy_without_a_state_file(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    paths.stack_file(tmp_path).write_text(json.dumps({"toxiproxy": toxiproxy.api}))
    toxiproxy.add_toxic("b->c", "dc.orphan", "timeout", attributes={"timeout": 0})
    report = cleanup(tmp_path)
    assert report.removed == ["toxiproxy b->c dc.orphan (unlisted)"]
    assert clean(toxiproxy)


# applied.json as the harness wrote it before undo records were typed; API is the Toxiproxy's
WRITTEN_BEFORE = """{"effects": [
 {"effect": {"attributes": [["jitter", 0], ["latency", 50]], "fault": "slow", "kind": "Toxic",
             "link": "b->c", "stream": "downstream", "toxicity": 1.0, "type": "latency"},
  "undo": {"api": "API", "driver": "toxiproxy", "proxy": "b->c", "toxic": "dc.slow"}},
 {"effect": {"fault": "cut", "kind": "LinkDown", "link": "a->c"},
  "undo": {"api": "API", "driver": "toxiproxy", "enable": true, "proxy": "a->c"}}
], "pid": 1, "toxiproxy": "API", "version": 1}"""


def test_cleanup_undoes_the_faults_in_an_applied_json_an_older_harness_wrote(
    toxiproxy: ToxiproxyClient, links: dict[str, str], tmp_path: Path
) -> None:
    toxiproxy.add_toxic("b->c", "dc.slow", "latency", attributes={"latency": 50})
    toxiproxy.set_enabled("a->c", False)
    paths.applied_file(tmp_path).write_text(WRITTEN_BEFORE.replace("API", toxiproxy.api))
    report = cleanup(tmp_path)
    assert str(report) == "removed: toxiproxy b->c dc.slow\nremoved: toxiproxy a->c disabled"
    assert clean(toxiproxy)
    assert not paths.applied_file(tmp_path).exists()


def test_things_that_are_gone_count_as_cleaned_up(tmp_path: Path) -> None:
    nobody = f"127.0.0.1:{procs.free_port()}"
    AppliedStore(paths.applied_file(tmp_path), nobody).save(
        [
            Entry(
                ProcessFault("p", "gms", "pause"),
                ProcessUndo(str(tmp_path / "no.sock"), "gms", "CONT"),
            ),
            Entry(AppFault("a", "gms", ()), AppUndo(f"http://{nobody}/_control/faults/dc.a")),
            Entry(AppFault("a", "gms", ()), ToxicOff(nobody, "a->c", "dc.a")),
        ]
    )
    report = cleanup(tmp_path)
    assert report.ok and len(report.gone) == 3 and report.removed == []
    assert not paths.applied_file(tmp_path).exists()


class _Control(http.server.BaseHTTPRequestHandler):
    deleted: ClassVar[list[str]] = []

    def do_DELETE(self) -> None:
        self.deleted.append(self.path)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def control_api() -> Iterator[tuple[str, list[str]]]:
    """A stand-in for a mock service's control port that records DELETEs."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Control)
    _Control.deleted = []
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", _Control.deleted
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_cleanup_deletes_recorded_app_faults_through_the_control_api(
    control_api: tuple[str, list[str]], tmp_path: Path
) -> None:
    endpoint, deleted = control_api
    url = f"http://{endpoint}/_control/faults/dc.busy"
    AppliedStore(paths.applied_file(tmp_path)).save(
        [Entry(AppFault("busy", "gms", ()), AppUndo(url))]
    )
    report = cleanup(tmp_path)
    assert report.removed == [f"app fault {url}"]
    assert deleted == ["/_control/faults/dc.busy"]


def test_an_unreadable_state_file_is_reported_and_kept(tmp_path: Path) -> None:
    paths.applied_file(tmp_path).write_text("{not json")
    report = cleanup(tmp_path)
    assert not report.ok and "unreadable" in report.failed[0]
    assert paths.applied_file(tmp_path).exists()
