"""A set of mock services from a topology, started as real processes and wired through one real
Toxiproxy: every dependency link is its own proxy, as in the local backend. Test-only and
small; the harness's local backend does this for real.

    with World(toxiproxy, tmp_path, ["telephony", "meldkamer-rotterdam"]) as world:
        host, port = world.entry("callers->telephony")

Services of the topology that are not started still get their proxies, pointing at a port
nobody listens on, so a link to them fails the way a dead service does.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import procs
from harness.backends.wiring import service_config
from harness.errors import ToxiproxyError
from harness.model.topology import Topology, load_topology
from harness.paths import project_root
from harness.toxiproxy.client import ToxiproxyClient

TOPOLOGIES = project_root() / "scenarios" / "topologies"
DEFAULT_TOPOLOGY = TOPOLOGIES / "meldkamer-nl.yaml"
HOST = "127.0.0.1"


@dataclass
class Running:
    name: str
    module: str
    ports: dict[str, int]
    config: dict[str, Any]
    config_file: Path
    log: Path
    proc: subprocess.Popen[bytes] | None = None
    sockets: list[socket.socket] = field(default_factory=list)
    endpoints: dict[str, str] = field(default_factory=dict)


class World:
    def __init__(
        self,
        toxiproxy: ToxiproxyClient,
        workdir: Path,
        services: Iterable[str],
        *,
        topology: Path = DEFAULT_TOPOLOGY,
        settings: dict[str, dict[str, Any]] | None = None,
        durable: bool = True,
    ) -> None:
        self.toxiproxy = toxiproxy
        self.workdir = workdir
        self.topology: Topology = load_topology(topology)
        self.names = list(services)
        self.settings = settings or {}
        self.durable = durable
        self.services: dict[str, Running] = {}
        self.proxies: dict[str, tuple[str, int]] = {}

    # --- life cycle --------------------------------------------------------------------------

    def start(self, timeout: float = 15.0) -> World:
        listeners: dict[str, dict[str, socket.socket]] = {}
        try:
            # Bound and held until each child inherits them: no other socket can take a port.
            listeners = {name: self._bind(name) for name in self.names}
            ports = {
                name: {listener: s.getsockname()[1] for listener, s in bound.items()}
                for name, bound in listeners.items()
            }
            self._create_proxies(ports)
            for name in self.names:
                self.services[name] = self._prepare(name, ports[name])
                self.services[name].sockets = list(listeners.pop(name).values())
            for running in self.services.values():
                self._spawn(running)
            for running in self.services.values():
                self._wait_ready(running, timeout)
        except BaseException:
            for bound in listeners.values():
                for sock in bound.values():
                    sock.close()
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for running in self.services.values():
            self._end(running)
        for link in list(self.proxies):
            # the server may be gone already: then there is nothing left to clean
            with contextlib.suppress(ToxiproxyError):
                self.toxiproxy.delete_proxy(link)
        self.proxies.clear()

    def __enter__(self) -> World:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        running = self.services[name]
        assert running.proc is not None
        running.proc.send_signal(sig)
        running.proc.wait(5)

    def restart(self, name: str, timeout: float = 15.0) -> None:
        """Start a stopped service again on the same ports with the same data."""
        running = self.services[name]
        self._end(running)
        self._spawn(running)
        self._wait_ready(running, timeout)

    # --- addresses ---------------------------------------------------------------------------

    def address(self, name: str, listener: str = "http") -> tuple[str, int]:
        """A service's own listener (health and control go direct, never through a proxy)."""
        host, _, port = self.services[name].endpoints[listener].rpartition(":")
        return host, int(port)

    def entry(self, link: str) -> tuple[str, int]:
        """Where a client connects to use `link` (its proxy)."""
        return self.proxies[link]

    def pid(self, name: str) -> int:
        proc = self.services[name].proc
        assert proc is not None
        return proc.pid

    # --- links -------------------------------------------------------------------------------

    def link_down(self, link: str) -> None:
        self.toxiproxy.set_enabled(link, False)

    def link_up(self, link: str) -> None:
        self.toxiproxy.set_enabled(link, True)

    # --- HTTP --------------------------------------------------------------------------------

    def request(
        self,
        name: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        *,
        link: str | None = None,
        timeout: float = 5.0,
    ) -> tuple[int, Any]:
        """One HTTP request to a service, direct or through `link`; (status, JSON or text)."""
        host, port = self.entry(link) if link else self.address(name)
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data, headers=headers or {})
            reply = conn.getresponse()
            raw = reply.read()
        finally:
            conn.close()
        try:
            return reply.status, json.loads(raw)
        except ValueError:
            return reply.status, raw.decode(errors="replace")

    def counters(self, name: str) -> dict[str, int]:
        status, body = self.request(name, "GET", "/_control/stats")
        assert status == 200, body
        counters: dict[str, int] = body["counters"]
        return counters

    def set_fault(self, name: str, fault_id: str, spec: dict[str, Any]) -> None:
        status, body = self.request(name, "PUT", f"/_control/faults/{fault_id}", spec)
        assert status == 200, body

    def clear_faults(self, name: str) -> None:
        status, body = self.request(name, "DELETE", "/_control/faults")
        assert status == 200, body

    def calm(self) -> None:
        """No toxics, no disabled links, no application faults: how every test starts."""
        self.toxiproxy.reset()
        for name in self.services:
            self.clear_faults(name)

    # --- internals ---------------------------------------------------------------------------

    def _bind(self, name: str) -> dict[str, socket.socket]:
        bound: dict[str, socket.socket] = {}
        try:
            for listener in self.topology.services[name].listeners:
                bound[listener] = procs.bound_listener(HOST, 0)
        except OSError:
            for sock in bound.values():
                sock.close()
            raise
        return bound

    def _create_proxies(self, ports: dict[str, dict[str, int]]) -> None:
        started = set(self.names)
        specs = []
        for link in self.topology.links.values():
            if link.source not in started and not (link.client and link.target in started):
                continue
            if link.target in started:
                upstream = ports[link.target][link.port]
            else:
                upstream = procs.free_port(HOST)  # nobody listens: like a dead service
            specs.append(
                {
                    "name": link.name,
                    "listen": f"{HOST}:0",
                    "upstream": f"{HOST}:{upstream}",
                    "enabled": True,
                }
            )
        created = self.toxiproxy.populate(specs)
        for name, proxy in created.items():
            host, _, port = proxy.listen.rpartition(":")
            self.proxies[name] = (host, int(port))

    def _prepare(self, name: str, ports: dict[str, int]) -> Running:
        service = self.topology.services[name]
        data_dir = self.workdir / "data" / name
        data_dir.mkdir(parents=True, exist_ok=True)
        listen = {listener: {"host": HOST, "port": port} for listener, port in ports.items()}
        config = service_config(
            self.topology,
            name,
            listen,
            self.proxies,
            str(data_dir) if self.durable else None,
            self.settings.get(name),
        )
        (self.workdir / "configs").mkdir(exist_ok=True)
        (self.workdir / "logs").mkdir(exist_ok=True)
        return Running(
            name,
            service.module,
            ports,
            config,
            self.workdir / "configs" / f"{name}.json",
            self.workdir / "logs" / f"{name}.log",
        )

    def _spawn(self, running: Running) -> None:
        # Hand the sockets over (Listen.fd); a restart binds the same ports again.
        sockets = running.sockets or [
            procs.bound_listener(HOST, port) for port in running.ports.values()
        ]
        running.sockets = []
        try:
            for listener, sock in zip(running.ports, sockets, strict=True):
                running.config["listen"][listener]["fd"] = sock.fileno()
            running.config_file.write_text(json.dumps(running.config), encoding="utf-8")
            with running.log.open("ab") as log:
                running.proc = procs.spawn(
                    [sys.executable, "-m", running.module, "--config", str(running.config_file)],
                    stdout=subprocess.PIPE,
                    stderr=log,
                    pass_fds=[s.fileno() for s in sockets],
                )
        finally:
            for sock in sockets:
                sock.close()

    def _wait_ready(self, running: Running, timeout: float) -> None:
        proc = running.proc
        assert proc is not None and proc.stdout is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            readable, _, _ = select.select([proc.stdout], [], [], 0.1)
            if readable:
                line = proc.stdout.readline().decode()
                if line.startswith("READY "):
                    running.endpoints = json.loads(line[len("READY ") :])["endpoints"]
                    return
                if not line:
                    break
        raise RuntimeError(f"{running.name} not ready: {running.log.read_text()[-2000:]}")

    def _end(self, running: Running) -> None:
        for sock in running.sockets:  # never handed over: start failed before its spawn
            sock.close()
        running.sockets = []
        if running.proc is not None:
            procs.stop(running.proc)
            if running.proc.stdout is not None:
                running.proc.stdout.close()


def start_standalone(
    module: str, *args: str, env: dict[str, str] | None = None, timeout: float = 10.0
) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    """A service started on its own (no --config unless given): its process and endpoints."""
    proc = procs.spawn(
        [sys.executable, "-m", module, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    readable, _, _ = select.select([proc.stdout], [], [], timeout)
    line = proc.stdout.readline().decode() if readable else ""
    if not line.startswith("READY "):
        procs.stop(proc)
        raise RuntimeError(f"{module} not ready: {line!r}")
    return proc, json.loads(line[len("READY ") :])["endpoints"]


def stop_standalone(proc: subprocess.Popen[bytes]) -> None:
    procs.stop(proc)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
