"""A team's own program in the topology, on the local backend: started by the supervisor with
its templates filled in, reached and dialling only through its links' proxies, faulted like a
mock (pause, kill, restart reach its whole process group), and when it does not come up the
error names it and shows the tail of its log. Nothing of it outlives the stack."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest
import requests

from harness import procs
from harness.faults.process import ProcessDriver
from harness.model.effects import ProcessFault
from harness.toxiproxy.client import ToxiproxyClient
from tests.e2e.conftest import ROOT, Harness

DESK = ROOT / "examples" / "incident-desk" / "topology.yaml"


def post_incident(entry: str) -> requests.Response:
    return requests.post(f"http://{entry}/incidents", json={"caller": "0612345678"}, timeout=5)


def process_states(pid: int) -> list[str]:
    """The state letter of every process in `pid`'s process group (R, S, T, ...)."""
    states = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pid:  # field 5 of stat: the process group
            states.append(fields[0])
    return states


@pytest.fixture(scope="module")
def desk_stack(tmp_path_factory: pytest.TempPathFactory) -> Harness:
    h = Harness(tmp_path_factory.mktemp("desk") / "state")
    up = h("up", "--topology", str(DESK), timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    yield h
    pid = h.stack.services["incident-desk"].pid
    down = h("down", timeout=60)
    assert down.returncode == 0, down.stdout + down.stderr
    assert pid is not None and not procs.alive(pid), "the desk outlived its stack"


def test_the_program_is_reached_through_its_client_link_and_dials_through_its_own(
    desk_stack: Harness,
) -> None:
    stack = desk_stack.stack
    desk = stack.services["incident-desk"]
    assert desk.kind == "own" and desk.health == "http GET /health"
    entry = str(stack.entry("operators->incident-desk"))
    assert post_incident(entry).json()["checked"] is True
    toxiproxy = ToxiproxyClient(stack.toxiproxy)
    toxiproxy.set_enabled("incident-desk->police-ict", False)  # only this link: its template
    try:
        answer = post_incident(entry)
        assert answer.status_code == 201 and answer.json()["checked"] is False
    finally:
        toxiproxy.set_enabled("incident-desk->police-ict", True)
        toxiproxy.close()
    assert post_incident(entry).json()["checked"] is True


def test_process_faults_reach_the_program_like_a_mock(desk_stack: Harness) -> None:
    stack = desk_stack.stack
    entry = str(stack.entry("operators->incident-desk"))
    driver = ProcessDriver.from_stack(stack)
    pause = ProcessFault("pause-desk", "incident-desk", "pause")
    pid = stack.services["incident-desk"].pid
    assert pid is not None
    driver.apply(pause)
    try:
        assert set(process_states(pid)) == {"T"}
        with pytest.raises(requests.Timeout):
            requests.post(f"http://{entry}/incidents", json={}, timeout=0.5)
    finally:
        driver.remove(pause)
    assert post_incident(entry).status_code == 201
    kill = ProcessFault("kill-desk", "incident-desk", "kill")
    driver.apply(kill)
    assert not procs.alive(pid)
    with pytest.raises(requests.ConnectionError):
        post_incident(entry)
    driver.remove(kill)  # started again, on the same port, healthy before this returns
    assert post_incident(entry).status_code == 201
    restarted = desk_stack.stack.services["incident-desk"].pid
    assert restarted != pid and restarted is not None and procs.alive(restarted)
    driver.apply(ProcessFault("restart-desk", "incident-desk", "restart"))  # killed, started once
    again = desk_stack.stack.services["incident-desk"].pid
    assert again not in (pid, restarted) and again is not None and procs.alive(again)
    assert not procs.alive(restarted)
    assert post_incident(entry).status_code == 201


def own_topology(tmp_path: Path, run: dict[str, object], start_timeout: str = "10s") -> Path:
    topology = {
        "version": 1,
        "name": "broken-program",
        "regions": {},
        "services": {
            "desk": {
                "listen": ["http"],
                "run": run,
                "health": "tcp",
                "start_timeout": start_timeout,
            }
        },
    }
    path = tmp_path / "topology.yaml"
    path.write_text(json.dumps(topology), encoding="utf-8")  # JSON is YAML
    return path


@pytest.mark.parametrize(
    ("run", "start_timeout", "said"),
    [
        (
            {"command": ["python3", "-c", "print('licence file missing'); raise SystemExit(1)"]},
            "10s",
            ["desk exited during start-up", "licence file missing"],
        ),
        (
            {
                "command": [
                    "python3",
                    "-c",
                    "import time; print('waiting for a database'); time.sleep(60)",
                ]
            },
            "1s",
            ["not healthy: desk after 1s", "waiting for a database"],
        ),
        (
            {"command": ["no-such-program-dispatch-chaos"]},
            "10s",
            ["desk: cannot start 'no-such-program-dispatch-chaos'"],
        ),
    ],
    ids=["exits", "never-listens", "not-installed"],
)
def test_a_program_that_does_not_come_up_is_named_with_the_tail_of_its_log(
    harness: Harness, tmp_path: Path, run: dict[str, object], start_timeout: str, said: list[str]
) -> None:
    started = time.monotonic()
    up = harness("up", "--topology", str(own_topology(tmp_path, run, start_timeout)), timeout=60)
    output = up.stdout + up.stderr
    assert up.returncode == 3, output
    for words in said:
        assert words in output
    assert time.monotonic() - started < 30
    assert not (harness.state_dir / "stack.json").exists()
    status = harness("status")
    assert "no stack is up" in status.stdout + status.stderr


def test_an_image_only_program_cannot_run_on_the_local_backend(
    harness: Harness, tmp_path: Path
) -> None:
    topology = {
        "version": 1,
        "name": "image-only",
        "regions": {},
        "services": {"desk": {"listen": ["http"], "image": "team/desk:1.0"}},
    }
    path = tmp_path / "topology.yaml"
    path.write_text(json.dumps(topology), encoding="utf-8")
    up = harness("up", "--topology", str(path), timeout=60)
    assert up.returncode == 2, up.stdout + up.stderr
    assert "desk: a team's own program needs run: for the local backend" in up.stdout + up.stderr


def test_a_program_and_everything_it_forked_die_with_a_supervisor_killed_by_9(
    harness: Harness, tmp_path: Path
) -> None:
    """Kamailio forks workers; the kernel would only kill the main process with the stack."""
    run = {
        "command": [
            "sh",
            "-c",
            'sleep 300 & sleep 301 & exec python3 -m http.server -b 127.0.0.1 "${0#*:}"',
            "{listen:http}",
        ]
    }
    up = harness("up", "--topology", str(own_topology(tmp_path, run)), timeout=60)
    assert up.returncode == 0, up.stdout + up.stderr
    stack = harness.stack
    group = stack.services["desk"].pid
    assert group is not None
    assert len(process_states(group)) >= 3  # the server and two workers (and the keeper)
    assert stack.supervisor_pid is not None
    os.kill(stack.supervisor_pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while process_states(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert process_states(group) == [], "the program's workers outlived the stack"
    harness("down", timeout=30)  # forgets the dead stack
