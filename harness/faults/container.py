"""The container fault driver: pause, kill or restart a service's container (compose backend).

pause -> `docker pause` (the cgroup freezer: the service holds its connections but answers
nothing) until removed; kill -> SIGKILL, down until removed, then started again; restart ->
`docker restart` once (remove does nothing). Several faults may hold one container: it is
unpaused or started again only when the last of them is removed. `ContainerUndo` is the undo
record (faults/undo.py): unpause or start the container.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import docker
import requests
from docker.errors import DockerException, NotFound
from docker.models.containers import Container

from harness.errors import InfrastructureError
from harness.faults.undo import Gone, optional_text
from harness.model.effects import Effect, ProcessFault
from harness.model.stack import StackInfo

ACTIONS = ("pause", "kill", "restart")
RESTART_GRACE = 2  # seconds docker waits for SIGTERM before SIGKILL on restart


class ContainerDriver:
    """Applies ProcessFault effects with `container=True` through the Docker engine."""

    name = "container"

    def __init__(
        self, containers: Mapping[str, str], client: docker.DockerClient | None = None
    ) -> None:
        self.containers = dict(containers)  # service -> container name
        self._client = client
        self._applied: set[ProcessFault] = set()
        self._lock = threading.Lock()

    @classmethod
    def for_stack(cls, stack: StackInfo) -> ContainerDriver:
        return cls({s.name: s.container for s in stack.services.values() if s.container})

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            try:
                self._client = docker.from_env(timeout=30)
            except DockerException as exc:
                raise InfrastructureError(
                    f"no Docker engine answers ({exc}): start dockerd"
                ) from None
        return self._client

    def handles(self, effect: Effect) -> bool:
        # {process: ...} and {container: ...} mean the same on the compose backend
        return isinstance(effect, ProcessFault)

    def apply(self, effect: Effect) -> None:
        fault = self._check(effect)
        with self._lock:
            if fault in self._applied:
                return  # idempotent: a restart must not happen twice
            container = self._container(fault.service)
            self._do(fault, container, _APPLY[fault.action])
            self._applied.add(fault)

    def remove(self, effect: Effect) -> None:
        fault = self._check(effect)
        with self._lock:
            self._applied.discard(fault)
            undo = _UNDO[fault.action]
            if undo is None or self._held(fault.service, fault.action):
                return
            self._do(fault, self._container(fault.service), undo)

    def observed(self) -> set[Effect] | None:
        """The applied faults the containers really show: a paused container for pause, a
        stopped one for kill; a restart is instantaneous, so it counts while applied."""
        with self._lock:
            applied = set(self._applied)
        observed: set[Effect] = set()
        states: dict[str, str] = {}
        for fault in applied:
            if fault.service not in states:
                states[fault.service] = self._state(fault.service)
            state = states[fault.service]
            if (
                (fault.action == "pause" and state == "paused")
                or (fault.action == "kill" and state in ("exited", "dead", "created"))
                or fault.action == "restart"
            ):
                observed.add(fault)
        return observed

    def undo_record(self, effect: Effect) -> ContainerUndo:
        fault = self._check(effect)
        return ContainerUndo(self.containers.get(fault.service), _UNDO[fault.action])

    # --- helpers -----------------------------------------------------------------------------

    def _check(self, effect: Effect) -> ProcessFault:
        if not self.handles(effect):
            raise InfrastructureError(f"the container driver cannot apply {effect.label()}")
        assert isinstance(effect, ProcessFault)
        if effect.action not in ACTIONS:
            raise InfrastructureError(f"unknown container action '{effect.action}'")
        return effect

    def _held(self, service: str, action: str) -> bool:
        """Another applied fault still wants this container paused or down."""
        return any(f.service == service and f.action == action for f in self._applied)

    def _container(self, service: str) -> Container:
        name = self.containers.get(service)
        if name is None:
            raise InfrastructureError(f"no container is known for service {service}")
        try:
            return self.client.containers.get(name)
        except NotFound:
            raise InfrastructureError(f"container {name} ({service}) does not exist") from None
        except (DockerException, requests.RequestException) as exc:
            raise InfrastructureError(f"docker: looking up {name}: {exc}") from None

    def _state(self, service: str) -> str:
        try:
            return str(self._container(service).status)
        except InfrastructureError:
            return "missing"

    def _do(self, fault: ProcessFault, container: Container, call: str) -> None:
        try:
            container.reload()
            status = container.status
            if call == "pause" and status == "running":
                container.pause()
            elif call == "unpause" and status == "paused":
                container.unpause()
            elif call == "kill":
                if status == "paused":
                    container.unpause()  # a frozen process cannot be killed promptly
                if status in ("running", "paused"):
                    container.kill()
            elif call == "start" and status in ("exited", "created", "dead"):
                container.start()
            elif call == "restart":
                container.restart(timeout=RESTART_GRACE)
        except (DockerException, requests.RequestException) as exc:
            detail = getattr(exc, "explanation", None) or exc
            raise InfrastructureError(
                f"docker {call} {container.name} ({fault.service}): {detail}"
            ) from None


_APPLY = {"pause": "pause", "kill": "kill", "restart": "restart"}
_UNDO: dict[str, str | None] = {"pause": "unpause", "kill": "start", "restart": None}


@dataclass(frozen=True)
class ContainerUndo:
    """applied.json {"driver": "docker", "container", "undo": "unpause" | "start" | null}:
    the container and the call that ends the fault (None for a restart: nothing to undo,
    but a restart cut short leaves the container stopped, so it is started)."""

    container: str | None
    action: str | None
    rank: ClassVar[int] = 0  # first, as processes

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ContainerUndo:
        return cls(optional_text(raw, "container"), optional_text(raw, "undo"))

    def to_dict(self) -> dict[str, Any]:
        return {"driver": "docker", "container": self.container, "undo": self.action}

    def label(self) -> str:
        return f"container {self.container} ({self.action})"

    def undo(self) -> None:
        try:
            container = docker.from_env(timeout=10).containers.get(self.container)
            if self.action == "unpause":
                if container.status != "paused":
                    raise Gone
                container.unpause()
            elif container.status != "running":
                container.start()
            else:
                raise Gone
        except NotFound:
            raise Gone from None
        except DockerException as exc:
            raise ValueError(str(exc)) from None
