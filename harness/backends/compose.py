"""The compose backend: the mock world and Toxiproxy as containers of one compose project.

`up` writes the compose file for the topology (harness/backends/compose_file.py) with host
ports fixed for this stack, and the own programs' rendered configs, runs `docker compose up -d`
(or docker-compose v1), creates every link's proxy through the Toxiproxy API and waits until
every service passes its health check (a mock's /health, an own program's own check within its
start_timeout). `down` removes the project's containers, networks and volumes, and is safe to
repeat.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import docker
import requests
from docker.errors import DockerException, ImageNotFound, NotFound
from docker.models.containers import Container

from harness import procs
from harness.backends import compose_file
from harness.backends.drivers import link_and_app_drivers
from harness.backends.evidence import Evidence, MockEvidence
from harness.backends.health import Unhealthy, service_checks, wait_healthy
from harness.backends.images import check_images, docker_client
from harness.backends.protocol import Site
from harness.errors import InfrastructureError, InvalidInput, StackError, ToxiproxyError
from harness.faults.container import ContainerDriver
from harness.faults.driver import Driver
from harness.model.stack import ProxyInfo, ServiceInfo, StackInfo
from harness.model.topology import Service, Topology, load_topology
from harness.paths import stack_file, state_dir
from harness.toxiproxy.client import ToxiproxyClient

DEFAULT_PROJECT = "dispatch-chaos"
PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")  # what compose v1 and v2 both keep as is
COMPOSE_PROJECT = "com.docker.compose.project"
COMPOSE_SERVICE = "com.docker.compose.service"
HOST = "127.0.0.1"
PORT_TAKEN = re.compile(r"already allocated|address already in use")


def compose_command() -> list[str]:
    """`docker compose` (v2) when the plugin is there, else `docker-compose` (v1);
    $DC_COMPOSE overrides."""
    if override := os.environ.get("DC_COMPOSE"):
        return shlex.split(override)
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    raise InfrastructureError(
        "neither `docker compose` nor `docker-compose` is installed: "
        "apt-get install docker-compose (.ci/run does this)"
    )


def project_containers(client: docker.DockerClient, project: str) -> dict[str, Container]:
    """compose service name -> its container (running or not)."""
    found = client.containers.list(all=True, filters={"label": f"{COMPOSE_PROJECT}={project}"})
    return {c.labels[COMPOSE_SERVICE]: c for c in found if COMPOSE_SERVICE in c.labels}


def host_port(container: Container, port: int) -> int:
    bindings = (container.attrs["NetworkSettings"]["Ports"] or {}).get(f"{port}/tcp") or []
    if not bindings:
        raise StackError(f"{container.name}: port {port} is not published (not running?)")
    return int(bindings[0]["HostPort"])


class _ExitWatch:
    """Tells wait_healthy which containers stopped during start-up (one listing per 0.5 s):
    `alive()` gives it one object per service whose `poll()` is the exit code, like Popen."""

    def __init__(self, client: docker.DockerClient, project: str) -> None:
        self.client, self.project = client, project
        self.exited: dict[str, int] = {}
        self._checked = 0.0

    def poll(self, service: str) -> int | None:
        if time.monotonic() - self._checked > 0.5:
            self._checked = time.monotonic()
            for name, container in project_containers(self.client, self.project).items():
                if container.status in ("exited", "dead"):
                    self.exited[name] = int(container.attrs["State"]["ExitCode"])
        return self.exited.get(service)

    def alive(self, services: Iterable[str]) -> dict[str, object]:
        return {name: SimpleNamespace(poll=partial(self.poll, name)) for name in services}


class ComposeBackend:
    """One compose project running one topology."""

    name = "compose"
    starts_stacks = True
    side_by_side = False  # one compose project, with a fixed name

    def __init__(
        self, topology: Topology, project: str | None = None, state: Path | None = None
    ) -> None:
        self.topology = topology
        self.project = project or DEFAULT_PROJECT
        if not PROJECT_NAME.match(self.project):
            raise InvalidInput(f"compose project '{self.project}': use a-z, 0-9, - and _")
        self.state = state or state_dir()
        self.file = self.state / "compose" / f"{self.project}.yml"
        self.run_root = self.state / "compose" / "run"  # <service>/<to>: own programs' configs

    @classmethod
    def at(cls, site: Site) -> ComposeBackend:
        return cls(load_topology(site.topology), project=site.project, state=site.state_dir)

    def drivers(self, stack: StackInfo) -> list[Driver]:
        return [*link_and_app_drivers(stack), ContainerDriver.for_stack(stack)]

    def evidence(self, stack: StackInfo) -> Evidence:
        return MockEvidence(stack)

    # --- up --------------------------------------------------------------------------------

    def up(self, timeout: float = 60.0, attempts: int = 2, *, detach: bool = False) -> StackInfo:
        """Start the stack and return it once every service is healthy; on failure nothing
        is left running. Images must exist (`make images`). Containers outlive us anyway;
        `detach` also saves stack.json, so `harness run`, `status` and `down` find them."""
        info = self._up(timeout, attempts)
        if detach:
            info.save(stack_file(self.state))
        return info

    def _up(self, timeout: float, attempts: int) -> StackInfo:
        deadline = time.monotonic() + timeout
        compose_file.check_programs(self.topology)  # before Docker: a wrong file is exit 2
        client = docker_client()
        try:
            check_images(client)
            self._check_own_images(client)
            compose = compose_command()
            for attempt in range(1, attempts + 1):
                ports = self._write_file()
                result = self._compose(compose, ["up", "-d", "--no-build"], deadline)
                if result.returncode == 0:
                    break
                self.down()
                # A host port we picked was taken before Docker bound it: pick others.
                if attempt == attempts or not PORT_TAKEN.search(result.stderr):
                    raise StackError(f"compose up failed: {_tail(result.stderr)}")
            self._populate(ports[compose_file.TOXIPROXY, compose_file.TOXIPROXY_API_PORT], deadline)
            self._wait_healthy(client, ports, deadline)
            return self.describe(client)
        except BaseException:
            with contextlib.suppress(InfrastructureError):  # keep the first error
                self.down()
            raise
        finally:
            client.close()

    def _check_own_images(self, client: docker.DockerClient) -> None:
        """Every own program's image exists here: compose v1 would try to pull it otherwise."""
        for service, image in compose_file.own_images(self.topology).items():
            try:
                client.images.get(image)
            except ImageNotFound:
                raise StackError(
                    f"{service}: image {image} does not exist locally (the harness never "
                    "pulls images: build or `docker load` it first)"
                ) from None

    def _write_file(self) -> dict[compose_file.Published, int]:
        """The compose file with host ports fixed now, so they survive container restarts,
        and each own program's rendered config, readable by any user in its container."""
        for service, (to, text) in compose_file.program_configs(self.topology).items():
            folder = self.run_root / service
            shutil.rmtree(folder, ignore_errors=True)  # nothing left of an earlier render
            (folder / to).parent.mkdir(parents=True, exist_ok=True)
            (folder / to).write_text(text, encoding="utf-8")
            for path in [folder, *folder.rglob("*")]:  # the image may run as any user
                path.chmod(0o755 if path.is_dir() else 0o644)
        spots = compose_file.published(self.topology)
        ports = dict(zip(spots, _free_ports(len(spots)), strict=True))
        self.file.parent.mkdir(parents=True, exist_ok=True)
        text = compose_file.render(self.topology, ports, self.run_root)
        self.file.write_text(text, encoding="utf-8")
        return ports

    def _compose(
        self, compose: list[str], args: list[str], deadline: float
    ) -> subprocess.CompletedProcess[str]:
        argv = [*compose, "--project-name", self.project, "--file", str(self.file), *args]
        try:
            return subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=max(deadline - time.monotonic(), 5.0),
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise StackError(f"`{' '.join(compose)} {args[0]}` did not finish in time") from None

    def _populate(self, api_port: int, deadline: float) -> None:
        """Create every link's proxy once the Toxiproxy API answers."""
        api = f"{HOST}:{api_port}"
        tp = ToxiproxyClient(api, timeout=2.0, retries=0)
        try:
            while not tp.reachable():
                if time.monotonic() > deadline:
                    raise StackError(f"not healthy: toxiproxy (API {api} does not answer)")
                time.sleep(0.05)
            tp.populate(compose_file.proxy_specs(self.topology))
        finally:
            tp.close()

    def _health_port(self, service: Service, ports: dict[compose_file.Published, int]) -> int:
        listener = service.health.listener(service.listeners)
        return ports[service.name, compose_file.container_ports(service)[listener]]

    def _wait_healthy(
        self, client: docker.DockerClient, ports: dict[compose_file.Published, int], deadline: float
    ) -> None:
        """Until every service passes its check: a mock within the stack's time left, an own
        program within its start_timeout. The error shows the log tail of each container that
        exited and of each own program that did not come up."""
        services = self.topology.services
        left = max(deadline - time.monotonic(), 0.0)

        def port_of(name: str) -> int:
            return self._health_port(services[name], ports)

        checks, limits = service_checks(services, HOST, port_of, left)
        watch = _ExitWatch(client, self.project)
        try:
            asyncio.run(wait_healthy(checks, limits, alive=watch.alive(services)))
        except Unhealthy as exc:
            own = [n for n in exc.services if services[n].own]
            notes = [f"{n}: {services[n].health} check on {HOST}:{port_of(n)}" for n in own]
            shown = sorted({*watch.exited, *own})
            logs = [self._log_tail(client, name) for name in shown]
            raise StackError("\n".join([str(exc), *notes, *logs])) from None

    def _log_tail(self, client: docker.DockerClient, service: str, lines: int = 8) -> str:
        container = project_containers(client, self.project).get(service)
        if container is None:
            return f"{service}: no container"
        text = container.logs(tail=lines).decode(errors="replace").rstrip() or "(empty)"
        state = container.attrs["State"]
        status = f"exit {state['ExitCode']}" if state["Status"] in ("exited", "dead") else None
        return f"--- {service} ({status or state['Status']}), last log lines:\n{text}"

    # --- describing a running stack ----------------------------------------------------------

    def describe(self, client: docker.DockerClient | None = None) -> StackInfo:
        """The running stack as StackInfo, read from Docker and Toxiproxy."""
        own = client is None
        client = client or docker_client()
        try:
            containers = project_containers(client, self.project)
            missing = sorted({compose_file.TOXIPROXY, *self.topology.services} - set(containers))
            if missing:
                raise StackError(f"compose project {self.project} has no {', '.join(missing)}")
            toxiproxy = containers[compose_file.TOXIPROXY]
            api = f"{HOST}:{host_port(toxiproxy, compose_file.TOXIPROXY_API_PORT)}"
            services = {
                name: _service_info(svc, containers[name])
                for name, svc in sorted(self.topology.services.items())
            }
            return StackInfo(
                backend="compose",
                topology=str(Path(self.topology.file).resolve()),
                toxiproxy=api,
                services=services,
                proxies=self._proxies(api, toxiproxy),
                project=self.project,
                extra={"compose_file": str(self.file)},
            )
        finally:
            if own:
                client.close()

    def _proxies(self, api: str, toxiproxy: Container) -> dict[str, ProxyInfo]:
        """Each link's proxy with listen/upstream as Toxiproxy reports them; client links
        also with the host address that reaches them."""
        tp = ToxiproxyClient(api, timeout=2.0, retries=1)
        try:
            known = tp.proxies()
        except ToxiproxyError:
            known = {}
        finally:
            tp.close()
        clients = compose_file.client_proxy_ports(self.topology)
        proxies = {}
        for spec in compose_file.proxy_specs(self.topology):
            name = spec["name"]
            state = known.get(name)
            reach = f"{HOST}:{host_port(toxiproxy, clients[name])}" if name in clients else None
            proxies[name] = ProxyInfo(
                name=name,
                listen=state.listen if state else spec["listen"],
                upstream=state.upstream if state else spec["upstream"],
                reach=reach,
            )
        return proxies

    # --- down --------------------------------------------------------------------------------

    def down(self, timeout: float = 60.0) -> None:
        """Remove the project's containers, networks and volumes; nothing to do is fine."""
        client = docker_client()
        try:
            if self.file.exists():
                self._compose(
                    compose_command(),
                    ["down", "--volumes", "--remove-orphans", "--timeout", "2"],
                    time.monotonic() + timeout,
                )
            self._sweep(client)  # whatever compose left (no file, or a file of another run)
            self.file.unlink(missing_ok=True)
        except (DockerException, requests.RequestException) as exc:
            raise InfrastructureError(f"compose down {self.project}: {exc}") from None
        finally:
            client.close()

    def _sweep(self, client: docker.DockerClient) -> None:
        label = {"label": f"{COMPOSE_PROJECT}={self.project}"}
        containers = client.containers.list(all=True, filters=label)
        removals = [partial(c.remove, force=True, v=True) for c in containers]
        removals += [n.remove for n in client.networks.list(filters=label)]
        removals += [partial(v.remove, force=True) for v in client.volumes.list(filters=label)]
        for remove in removals:  # containers first: they hold the networks and volumes
            with contextlib.suppress(NotFound):  # removed meanwhile: just as good
                remove()


def _service_info(service: Service, container: Container) -> ServiceInfo:
    """A service as the harness reaches it: its published listeners; an own program also
    with its health check and the evidence it offers."""
    ports = compose_file.container_ports(service)
    endpoints = {
        listener: f"{HOST}:{host_port(container, ports[listener])}"
        for listener in compose_file.published_listeners(service)
    }
    return ServiceInfo(
        name=service.name,
        kind=service.kind,
        region=service.region,
        endpoints=endpoints,
        container=container.name,
        health=str(service.health) if service.own else None,
        offers=tuple(sorted(service.evidence)) if service.own else None,
    )


def _free_ports(count: int) -> list[int]:
    """Distinct ports nobody listens on now (held together, so no port is picked twice)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(procs.bound_listener(HOST)) for _ in range(count)]
        return [int(s.getsockname()[1]) for s in sockets]


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])
