"""The compose backend end to end: offline images, the mock world as containers behind
Toxiproxy, 112 calls through the published entry, faults on links and containers, clean down.

One stack for the whole module (about a minute on two cores); the last test takes it down.
"""

from __future__ import annotations

import io
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import docker
import pytest
import requests
from rich.console import Console

from harness.backends import images as image_builder
from harness.backends.build_images import build_images
from harness.backends.compose import ComposeBackend
from harness.backends.images import (
    MOCK_IMAGE,
    PROJECT,
    PROJECT_LABEL,
    TOXIPROXY_IMAGE,
    Outcome,
)
from harness.errors import StackError
from harness.faults.container import ContainerDriver
from harness.model.effects import ProcessFault
from harness.model.stack import StackInfo
from harness.model.topology import Topology, load_topology
from harness.paths import scenarios_dir
from harness.toxiproxy.client import ToxiproxyClient
from tests.compose import sip
from tests.prerequisites import need_docker

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DEFAULT = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"
COMPOSE_PROJECT = "com.docker.compose.project"


@pytest.fixture(scope="module")
def topology() -> Topology:
    return load_topology(DEFAULT)


@pytest.fixture(scope="module")
def images() -> list[Outcome]:
    need_docker()
    return build_images(console=Console(file=io.StringIO()))  # builds, or reuses current ones


@pytest.fixture(scope="module")
def backend(images: list[Outcome], topology: Topology) -> Iterator[ComposeBackend]:
    with tempfile.TemporaryDirectory(prefix="dc-compose-test-") as state:
        project = f"dc-test-{uuid.uuid4().hex[:8]}"
        backend = ComposeBackend(topology, project=project, state=Path(state))
        try:
            yield backend
        finally:
            backend.down()


@pytest.fixture(scope="module")
def stack(backend: ComposeBackend) -> StackInfo:
    return backend.up(timeout=120)


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    need_docker()
    client = docker.from_env()
    yield client
    client.close()


def health(stack: StackInfo, service: str) -> dict[str, str] | None:
    """The service's /health answer, or None when it does not answer."""
    try:
        response = requests.get(
            f"http://{stack.services[service].endpoint('http')}/health", timeout=1.0
        )
    except requests.RequestException:
        return None
    return dict(response.json()) if response.status_code == 200 else None


def office_status(stack: StackInfo) -> int:
    """GET / on office through the published office-users->office proxy."""
    return requests.get(f"http://{stack.entry('office-users->office')}/", timeout=5.0).status_code


def eventually(check: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def call_112(stack: StackInfo, region: str) -> sip.Answer:
    entry = stack.entry("callers->telephony")
    return sip.call(entry.host, entry.port, "112", region)


def test_up_without_the_images_says_to_run_make_images(
    images: list[Outcome], topology: Topology, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(image_builder, "MOCK_IMAGE", "dispatch-chaos/mock:never-built")
    with tempfile.TemporaryDirectory(prefix="dc-compose-test-") as state:
        backend = ComposeBackend(topology, project="dc-test-no-images", state=Path(state))
        with pytest.raises(StackError, match=r"mock:never-built does not exist: run `make images`"):
            backend.up(timeout=30)


def test_down_removes_what_a_lost_run_left_even_without_its_compose_file(
    topology: Topology, client: docker.DockerClient
) -> None:
    project = f"dc-test-{uuid.uuid4().hex[:8]}"
    labels = {COMPOSE_PROJECT: project, PROJECT_LABEL: PROJECT}
    network = client.networks.create(f"{project}_default", labels=labels)
    volume = client.volumes.create(f"{project}_gms-data", labels=labels)
    client.containers.create(
        TOXIPROXY_IMAGE,
        labels=labels,
        network=network.name,
        volumes={volume.name: {"bind": "/data", "mode": "rw"}},
    )
    with tempfile.TemporaryDirectory(prefix="dc-compose-test-") as state:
        ComposeBackend(topology, project=project, state=Path(state)).down()
    label = {"label": f"{COMPOSE_PROJECT}={project}"}
    assert client.containers.list(all=True, filters=label) == []
    assert client.networks.list(filters=label) == []
    assert client.volumes.list(filters=label) == []


def test_images_are_labelled_and_reused_when_their_inputs_did_not_change(
    images: list[Outcome], client: docker.DockerClient
) -> None:
    for ref in (MOCK_IMAGE, TOXIPROXY_IMAGE):
        assert client.images.get(ref).labels[PROJECT_LABEL] == PROJECT
    again = build_images(console=Console(file=io.StringIO()))
    assert [o.image for o in again] == [o.image for o in images]
    assert not any(o.built for o in again), again


def test_every_service_comes_up_healthy_in_its_own_container(
    stack: StackInfo, topology: Topology, client: docker.DockerClient
) -> None:
    assert stack.backend == "compose"
    assert set(stack.services) == set(topology.services)
    for name, service in stack.services.items():
        answer = health(stack, name)
        assert answer is not None, f"{name} is not healthy"
        assert (answer["service"], answer["status"]) == (name, "ok")
        assert service.endpoint("http").host == "127.0.0.1"
        container = client.containers.get(service.container)
        assert container.labels[COMPOSE_PROJECT] == stack.project
        assert container.status == "running"


def test_every_link_has_a_proxy_and_only_client_links_are_reachable_from_the_host(
    stack: StackInfo, topology: Topology
) -> None:
    tp = ToxiproxyClient(stack.toxiproxy)
    try:
        live = tp.proxies()
    finally:
        tp.close()
    assert set(live) == set(topology.links) == set(stack.proxies)
    for name, proxy in stack.proxies.items():
        link = topology.links[name]
        assert proxy.upstream == live[name].upstream
        assert proxy.upstream.startswith(f"{link.target}:")
        if link.client:
            assert proxy.reach is not None and proxy.reach.startswith("127.0.0.1:")
        else:
            assert proxy.reach is None


def test_a_112_call_through_the_published_callers_proxy_is_answered_in_its_region(
    stack: StackInfo,
) -> None:
    answer = call_112(stack, "oost-brabant")
    assert answer.status == 200
    assert answer.header("X-Answered-By") == "meldkamer-oost-brabant"


def test_a_toxic_on_a_link_inside_the_network_reroutes_112_to_the_backup_region(
    stack: StackInfo,
) -> None:
    tp = ToxiproxyClient(stack.toxiproxy)
    link = "telephony->meldkamer-oost-brabant"  # policy: 1s timeout, fallback backup-region
    try:
        tp.add_toxic(link, "dc.compose-test", "latency", attributes={"latency": 3000})
        rerouted = call_112(stack, "oost-brabant")
    finally:
        tp.remove_toxic(link, "dc.compose-test")
        tp.close()
    assert rerouted.status == 200
    assert rerouted.header("X-Answered-By") == "meldkamer-midden-nederland"
    assert call_112(stack, "oost-brabant").header("X-Answered-By") == "meldkamer-oost-brabant"


def test_a_paused_police_ict_container_takes_office_down_until_it_is_unpaused(
    stack: StackInfo,
) -> None:
    driver = ContainerDriver.for_stack(stack)
    pause = ProcessFault("compose-test-pause", "police-ict", "pause", container=True)
    assert office_status(stack) == 200
    driver.apply(pause)
    try:
        assert driver.observed() == {pause}
        assert office_status(stack) == 503
    finally:
        driver.remove(pause)
    assert driver.observed() == set()
    assert eventually(lambda: office_status(stack) == 200)


def test_a_killed_gms_container_is_down_until_removed_then_healthy_on_the_same_port(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    driver = ContainerDriver.for_stack(stack)
    kill = ProcessFault("compose-test-kill", "gms", "kill", container=True)
    driver.apply(kill)
    try:
        assert client.containers.get(stack.services["gms"].container).status == "exited"
        assert driver.observed() == {kill}
        assert health(stack, "gms") is None
    finally:
        driver.remove(kill)
    assert eventually(lambda: health(stack, "gms") is not None)
    assert driver.observed() == set()


def test_a_restarted_meldkamer_answers_112_again(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    driver = ContainerDriver.for_stack(stack)
    name = stack.services["meldkamer-oost-brabant"].container
    started = client.containers.get(name).attrs["State"]["StartedAt"]
    restart = ProcessFault(
        "compose-test-restart", "meldkamer-oost-brabant", "restart", container=True
    )
    driver.apply(restart)
    driver.remove(restart)
    assert client.containers.get(name).attrs["State"]["StartedAt"] != started
    assert eventually(lambda: health(stack, "meldkamer-oost-brabant") is not None)
    assert call_112(stack, "oost-brabant").header("X-Answered-By") == "meldkamer-oost-brabant"


def test_a_container_held_by_two_faults_is_unpaused_when_the_last_one_ends(
    stack: StackInfo, client: docker.DockerClient
) -> None:
    driver = ContainerDriver.for_stack(stack)
    first, second = (
        ProcessFault(f"compose-test-{n}", "c2000", "pause", container=True) for n in "ab"
    )
    name = stack.services["c2000"].container
    driver.apply(first)
    driver.apply(second)
    driver.apply(first)  # idempotent
    driver.remove(first)
    assert client.containers.get(name).status == "paused"
    assert driver.observed() == {second}
    driver.remove(second)
    assert client.containers.get(name).status == "running"
    assert driver.observed() == set()


def test_down_leaves_no_container_network_or_volume_and_can_be_repeated(
    backend: ComposeBackend, stack: StackInfo, client: docker.DockerClient
) -> None:
    label = {"label": f"{COMPOSE_PROJECT}={stack.project}"}
    assert len(client.containers.list(all=True, filters=label)) == len(stack.services) + 1
    assert client.networks.list(filters=label) != []
    assert len(client.volumes.list(filters=label)) == 6  # gms and five meldkamers
    backend.down()
    assert client.containers.list(all=True, filters=label) == []
    assert client.networks.list(filters=label) == []
    assert client.volumes.list(filters=label) == []
    backend.down()  # nothing left to remove: still fine
