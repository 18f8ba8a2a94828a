"""A team's own program on the compose backend: the tutorial's incident desk
(examples/incident-desk/desk.py) runs from an image beside a mock police ICT, every link through
its Toxiproxy proxy; container faults work on it; a missing image or a program that never
answers its health check is a clear error; down leaves nothing.

The desk runs from the mock image (it has python3), the script itself mounted as its "config".
One stack for the module; the last test takes it down.
"""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import docker
import pytest
import requests

from harness.backends.compose import COMPOSE_PROJECT, ComposeBackend
from harness.backends.images import MOCK_IMAGE, TOXIPROXY_IMAGE
from harness.errors import StackError
from harness.faults.container import ContainerDriver
from harness.model.effects import ProcessFault
from harness.model.stack import StackInfo
from harness.model.topology import Topology, load_topology
from harness.paths import project_root
from harness.toxiproxy.client import ToxiproxyClient
from tests.prerequisites import missing, need_docker

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DESK = project_root() / "examples" / "incident-desk" / "desk.py"
DESK_SERVICE = """\
  incident-desk:
    listen: [http]
    image: {image}
    run:
      command: [python3, "{{config}}"]
      env:
        DESK_LISTEN: "{{listen:http}}"
        POLICE_ICT: "{{link:incident-desk->police-ict}}"
      config: {{template: {desk}, to: desk.py}}
    health: http GET /health
    start_timeout: 20s
    depends:
      police-ict: {{timeout: 300ms}}
"""


def write_topology(folder: Path, services: str, clients: str = "") -> Topology:
    file = folder / "topology.yaml"
    text = f"version: 1\nname: own-image\nregions: {{}}\nservices:\n{services}{clients}"
    file.write_text(text, encoding="utf-8")
    return load_topology(file)


def desk_topology(folder: Path, image: str = MOCK_IMAGE) -> Topology:
    services = DESK_SERVICE.format(image=image, desk=DESK) + "  police-ict: {kind: police-ict}\n"
    return write_topology(folder, services, "clients:\n  operators: {to: [incident-desk]}\n")


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    need_docker()
    client = docker.from_env()
    for image in (MOCK_IMAGE, TOXIPROXY_IMAGE):
        if not client.images.list(name=image):
            missing(image, "make images")
    yield client
    client.close()


@pytest.fixture(scope="module")
def state() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="dc-own-image-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def backend(client: docker.DockerClient, state: Path) -> Iterator[ComposeBackend]:
    topology = desk_topology(state)
    backend = ComposeBackend(topology, f"dc-test-{uuid.uuid4().hex[:8]}", state / "state")
    try:
        yield backend
    finally:
        backend.down()


@pytest.fixture(scope="module")
def stack(backend: ComposeBackend) -> StackInfo:
    return backend.up(timeout=90)


def report(stack: StackInfo, timeout: float = 3.0) -> dict[str, Any] | None:
    """POST an incident through the operators->incident-desk proxy; None when no answer."""
    url = f"http://{stack.entry('operators->incident-desk')}/incidents"
    try:
        answer = requests.post(url, json={"caller": "0612345678", "kind": "fire"}, timeout=timeout)
    except requests.RequestException:
        return None
    return {"code": answer.status_code, **answer.json()}


def answered(stack: StackInfo) -> Callable[[], bool]:
    return lambda: (report(stack, timeout=1.0) or {}).get("code") == 201


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_the_desk_comes_up_from_its_image_and_checks_callers_through_its_proxy(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    desk = stack.services["incident-desk"]
    assert (desk.kind, desk.health, desk.offers) == ("own", "http GET /health", ())
    assert list(desk.endpoints) == ["http"]
    assert client.containers.get(desk.container).image.tags == [MOCK_IMAGE]
    assert requests.get(f"http://{desk.endpoints['http']}/health", timeout=2).status_code == 200
    answer = report(stack)
    assert answer is not None
    assert (answer["code"], answer["status"], answer["checked"]) == (201, "accepted", True)


def test_a_disabled_police_ict_proxy_leaves_the_desks_incidents_unchecked(
    stack: StackInfo,
) -> None:
    tp = ToxiproxyClient(stack.toxiproxy)
    try:
        tp.set_enabled("incident-desk->police-ict", False)
        try:
            unchecked = report(stack)
        finally:
            tp.set_enabled("incident-desk->police-ict", True)
    finally:
        tp.close()
    assert unchecked is not None
    assert (unchecked["code"], unchecked["checked"]) == (201, False)
    again = report(stack)
    assert again is not None and again["checked"] is True


def test_a_paused_desk_container_answers_nothing_until_the_fault_is_removed(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    driver = ContainerDriver.for_stack(stack)
    pause = ProcessFault("own-image-pause", "incident-desk", "pause", container=True)
    driver.apply(pause)
    try:
        assert client.containers.get(stack.services["incident-desk"].container).status == "paused"
        assert driver.observed() == {pause}
        assert report(stack, timeout=1.0) is None  # times out: the frozen desk never answers
    finally:
        driver.remove(pause)
    assert driver.observed() == set()
    assert eventually(answered(stack))


def test_a_killed_desk_container_is_down_until_removed_then_answers_on_the_same_port(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    driver = ContainerDriver.for_stack(stack)
    kill = ProcessFault("own-image-kill", "incident-desk", "kill", container=True)
    driver.apply(kill)
    try:
        assert client.containers.get(stack.services["incident-desk"].container).status == "exited"
        assert driver.observed() == {kill}
        assert report(stack, timeout=1.0) is None
    finally:
        driver.remove(kill)
    assert eventually(answered(stack))
    health = f"http://{stack.services['incident-desk'].endpoints['http']}/health"
    assert requests.get(health, timeout=2).status_code == 200


def test_a_missing_image_is_an_error_naming_the_service_and_image_not_a_pull(
    client: docker.DockerClient, tmp_path: Path
) -> None:
    image = "dispatch-chaos/never-built-desk:0"
    backend = ComposeBackend(desk_topology(tmp_path, image), "dc-test-no-desk", tmp_path / "st")
    with pytest.raises(StackError, match=f"incident-desk: image {image} does not exist") as exc:
        backend.up(timeout=30)
    assert exc.value.exit_code == 3
    label = {"label": f"{COMPOSE_PROJECT}=dc-test-no-desk"}
    assert client.containers.list(all=True, filters=label) == []


def test_a_program_that_never_passes_its_check_is_named_with_its_check_and_log(
    client: docker.DockerClient, tmp_path: Path
) -> None:
    silent = (
        "  silent:\n    listen: [http]\n    image: " + MOCK_IMAGE + "\n"
        "    run: {command: [python3, -c, \"import time; print('not listening yet'); "
        'time.sleep(60)"]}\n'
        "    health: http GET /health\n    start_timeout: 2s\n"
    )
    project = f"dc-test-{uuid.uuid4().hex[:8]}"
    backend = ComposeBackend(write_topology(tmp_path, silent), project, tmp_path / "st")
    with pytest.raises(StackError) as exc:
        backend.up(timeout=60)
    text = str(exc.value)
    assert "not healthy: silent after 2s" in text
    assert "silent: http GET /health check on 127.0.0.1:" in text
    assert "not listening yet" in text
    label = {"label": f"{COMPOSE_PROJECT}={project}"}
    assert client.containers.list(all=True, filters=label) == []  # up took it down again


def test_down_leaves_no_container_network_or_volume_of_the_project(
    backend: ComposeBackend, stack: StackInfo, client: docker.DockerClient
) -> None:
    label = {"label": f"{COMPOSE_PROJECT}={stack.project}"}
    assert len(client.containers.list(all=True, filters=label)) == 3  # desk, police-ict, proxy
    backend.down()
    assert client.containers.list(all=True, filters=label) == []
    assert client.networks.list(filters=label) == []
    assert client.volumes.list(filters=label) == []
