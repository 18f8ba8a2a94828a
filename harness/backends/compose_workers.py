"""Locust workers in containers on a compose stack's network (`harness run --backend compose
--workers N`).

The harness runs the master (no users) bound to the project network's gateway, the host's own
address on that network: reachable from the containers, never from outside the host. Each
worker is a container of the load-worker image (worker_image.py) on the network, labelled with
the compose project so `harness down` sweeps what a lost run left; it downloads the locustfile
from the master and sends its calls to the stack's in-network proxy addresses (the Toxiproxy
container's address on the network and its listen ports), not to the ports published on the
host. Its requests reach the master's one journal through Locust's messaging
(harness/load/journal_relay.py). The containers are removed when the load ends, however it
ends; their logs stay in the report dir.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import docker
import requests
from docker.errors import DockerException, NotFound
from docker.models.containers import Container

from harness import procs
from harness.backends.compose import COMPOSE_PROJECT, COMPOSE_SERVICE, project_containers
from harness.backends.compose_file import TOXIPROXY
from harness.backends.images import PROJECT, PROJECT_LABEL, docker_client
from harness.backends.worker_image import WORKER_IMAGE, check_worker_image
from harness.errors import InfrastructureError
from harness.load.runner import LoadRunner, LocustRun
from harness.model.scenario import Scenario
from harness.model.stack import Endpoint, StackInfo

SERVICE = "load-worker"  # the containers' compose service label


def network_view(stack: StackInfo, toxiproxy: str) -> StackInfo:
    """The stack as a container on its network reaches it: each client link's proxy at the
    Toxiproxy container's address there and its own listen port, instead of the port
    published on the host. An address, not the name: no caller waits for a DNS answer."""
    proxies = {
        name: replace(p, reach=f"{toxiproxy}:{Endpoint.parse(p.listen).port}")
        for name, p in stack.proxies.items()
        if p.reach is not None
    }
    return replace(stack, proxies={**stack.proxies, **proxies})


def project_network(client: docker.DockerClient, project: str) -> tuple[str, str, str]:
    """The compose project's default network: its name, its gateway address and the Toxiproxy
    container's address on it."""
    toxiproxy = project_containers(client, project).get(TOXIPROXY)
    if toxiproxy is None:
        raise InfrastructureError(f"compose project {project} has no {TOXIPROXY} container")
    for name, network in toxiproxy.attrs["NetworkSettings"]["Networks"].items():
        if name.endswith("_default") and network.get("Gateway") and network.get("IPAddress"):
            return name, str(network["Gateway"]), str(network["IPAddress"])
    raise InfrastructureError(f"compose project {project} has no default network with a gateway")


class WorkerContainers:
    """The worker containers of one run; `close` keeps their logs, removes them and is safe to
    repeat."""

    def __init__(self, client: docker.DockerClient, project: str, report_dir: Path) -> None:
        self.client = client
        self.project = project
        self.report_dir = report_dir
        self.containers: list[Container] = []

    def start(self, count: int, network: str, master: tuple[str, int]) -> None:
        command = ["python3", "-m", "locust", "-f", "-", "--worker", "--loglevel", "INFO"]
        command += ["--master-host", master[0], "--master-port", str(master[1])]
        labels = {COMPOSE_PROJECT: self.project, COMPOSE_SERVICE: SERVICE, PROJECT_LABEL: PROJECT}
        for index in range(1, count + 1):
            name = f"{self.project}-{SERVICE}-{index}"
            self._remove_left_over(name)
            container = self.client.containers.run(
                WORKER_IMAGE, command, name=name, network=network, labels=labels, detach=True
            )
            self.containers.append(container)

    def _remove_left_over(self, name: str) -> None:
        with contextlib.suppress(NotFound):  # a run killed before it could remove its own
            self.client.containers.get(name).remove(force=True)

    def close(self) -> None:
        try:
            self._remove()
        finally:
            self.client.close()

    def _remove(self) -> None:
        while self.containers:
            container = self.containers.pop()
            with contextlib.suppress(NotFound, DockerException, requests.RequestException):
                log = self.report_dir / f"{container.name}.log"
                log.write_bytes(container.logs())
            with contextlib.suppress(NotFound):
                container.remove(force=True)


class LoadOnWorkerContainers:
    """The run's Locust master and its worker containers, ended together."""

    def __init__(self, runner: LocustRun, workers: WorkerContainers) -> None:
        self.runner = runner
        self.workers = workers
        self.log_file = runner.log_file
        self.wall_start = runner.wall_start

    @property
    def expected_end(self) -> float:
        return self.runner.expected_end

    def running(self) -> bool:
        return self.runner.running()

    def wait(self, timeout: float | None = None) -> int | None:
        code = self.runner.wait(timeout)
        if code is not None:
            self.workers.close()
        return code

    def stop(self) -> int | None:
        try:
            return self.runner.stop()
        finally:
            self.workers.close()


def start_with_worker_containers(
    scenario: Scenario,
    stack: StackInfo,
    journal: Path,
    report_dir: Path,
    wall_start: float,
    duration: float,
    count: int,
    wait: float,
) -> LoadOnWorkerContainers:
    """Start `count` worker containers and the master they join; ready like LoadRunner.start."""
    assert stack.project is not None  # a compose stack always has its project
    client = docker_client()
    workers = WorkerContainers(client, stack.project, report_dir)
    try:
        check_worker_image(client)
        network, gateway, toxiproxy = project_network(client, stack.project)
        master = (gateway, procs.free_port(gateway))  # Locust binds it a moment later
        runner = LoadRunner(
            scenario,
            network_view(stack, toxiproxy),
            journal,
            report_dir,
            wall_start,
            duration,
            workers=count,
            bind=master,
            ready_wait=wait,
        )
        report_dir.mkdir(parents=True, exist_ok=True)
        workers.start(count, network, master)  # they wait for the master (Locust retries)
        runner.start()
    except (DockerException, requests.RequestException, OSError) as exc:  # OSError: the bind
        workers.close()
        raise InfrastructureError(f"Locust worker containers: {exc}") from None
    except BaseException:
        workers.close()
        raise
    return LoadOnWorkerContainers(runner, workers)
