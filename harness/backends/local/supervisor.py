"""The local stack's supervisor: owns toxiproxy-server and every mock service as children.

    python -m harness.backends.local.supervisor --topology FILE --state-dir DIR

Start-up: bind every service listener here (children inherit the sockets: no port races), start
Toxiproxy, create one proxy per link, start the services with their wiring, wait until all are
healthy, then write DIR/stack.json and serve the control socket (control.py). Every child dies
with the supervisor (PDEATHSIG), and the supervisor with its parent when run for a single `harness
run`; SIGTERM or SIGINT takes the stack down and removes stack.json. A crashed service is not
restarted behind the harness's back: a chaos harness must see crashes, not mask them. Toxiproxy
is the exception: it is infrastructure, so it is restarted on the same ports (the reconciler then
re-applies the faults).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from harness import procs
from harness.backends.health import Unhealthy, service_checks, wait_healthy
from harness.backends.local.programs import HOST, Child, MockChild, ProgramChild
from harness.backends.wiring import service_config
from harness.errors import HarnessError, StackError
from harness.model.stack import ProxyInfo, ServiceInfo, StackInfo
from harness.model.topology import Topology, load_topology
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer


class Supervisor:
    def __init__(self, topology: Topology, state_dir: Path, toxiproxy_binary: Path | None) -> None:
        self.topology = topology
        self.state_dir = state_dir
        self.local = state_dir / "local"
        self.toxiproxy = ToxiproxyServer(HOST, 0, toxiproxy_binary)
        self.children: dict[str, Child] = {}
        self.proxies: dict[str, ProxyInfo] = {}
        self.stopping = asyncio.Event()
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONDONTWRITEBYTECODE": "1"}

    # --- start-up ------------------------------------------------------------------------

    async def up(self, timeout: float) -> StackInfo:
        shutil.rmtree(self.local, ignore_errors=True)
        for sub in ("configs", "data", "logs"):
            (self.local / sub).mkdir(parents=True, exist_ok=True)
        self.toxiproxy.log = (self.local / "logs" / "toxiproxy.log").open("ab")
        self.toxiproxy.start()
        listeners = self._bind_listeners()
        ports = {
            name: {k: s.getsockname()[1] for k, s in socks.items()}
            for name, socks in listeners.items()
        }
        self._create_proxies(ports)
        for service in self.topology.services.values():
            child = self._child(service.name, ports[service.name])
            child.sockets = list(listeners[service.name].values())
            self.children[service.name] = child
        for child in self.children.values():
            child.start(self.env)
        await self._wait_healthy(list(self.children.values()), timeout)
        return self.info()

    async def _wait_healthy(self, children: list[Child], timeout: float) -> None:
        """Until every child answers its health check; a team's program has its own start
        timeout, and when it does not come up the error shows the tail of its log."""
        services = {c.name: self.topology.services[c.name] for c in children}
        port = {c.name: c.ports[services[c.name].health.listener(tuple(c.ports))] for c in children}
        checks, limits = service_checks(services, HOST, port.__getitem__, timeout)
        try:
            await wait_healthy(checks, limits, alive={c.name: c.proc for c in children})
        except Unhealthy as exc:
            own = [c for c in children if c.name in exc.services and isinstance(c, ProgramChild)]
            tails = "".join(
                f"\n  {c.name} ({services[c.name].health} check on {HOST}:{port[c.name]}); "
                f"last lines of {c.log}:\n{c.log_tail()}"
                for c in own
            )
            raise StackError(f"{exc}{tails}") from None

    def _bind_listeners(self) -> dict[str, dict[str, socket.socket]]:
        """Every service listener bound now, before Toxiproxy picks its proxies' ports: held
        until the child inherits it, no other listener can take its port in between."""
        return {
            service.name: {
                listener: procs.bound_listener(HOST, 0) for listener in service.listeners
            }
            for service in self.topology.services.values()
        }

    def _create_proxies(self, ports: dict[str, dict[str, int]]) -> None:
        client = ToxiproxyClient(self.toxiproxy.api)
        specs = [
            {
                "name": link.name,
                "listen": f"{HOST}:0",
                "upstream": f"{HOST}:{ports[link.target][link.port]}",
                "enabled": True,
            }
            for link in self.topology.links.values()
        ]
        created = client.populate(specs)
        client.close()
        self.proxies = {
            n: ProxyInfo(n, p.listen, p.upstream, reach=p.listen) for n, p in created.items()
        }

    def _child(self, name: str, ports: dict[str, int]) -> Child:
        service = self.topology.services[name]
        log = self.local / "logs" / f"{name}.log"
        if service.program is not None:
            links = {n: self.proxies[n].listen for n in self.proxies}
            run_dir = self.local / "run" / name
            return ProgramChild(
                name,
                ports,
                log,
                program=service.program,
                region=service.region,
                run_dir=run_dir,
                cwd=Path(self.topology.file).resolve().parent,
                links=links,
            )
        proxy_address = {
            n: (HOST, int(p.listen.rpartition(":")[2])) for n, p in self.proxies.items()
        }
        listen = {listener: {"host": HOST, "port": port} for listener, port in ports.items()}
        data_dir = self.local / "data" / name
        data_dir.mkdir(parents=True, exist_ok=True)
        config = service_config(self.topology, name, listen, proxy_address, str(data_dir))
        config_file = self.local / "configs" / f"{name}.json"
        argv = [sys.executable, "-m", service.module, "--config", str(config_file)]
        return MockChild(name, ports, log, argv=argv, config=config, config_file=config_file)

    def info(self) -> StackInfo:
        services = {}
        for name, svc in self.topology.services.items():
            child = self.children[name]
            endpoints = {k: f"{HOST}:{p}" for k, p in child.ports.items()}
            pid = child.proc.pid if child.proc is not None else None
            own = svc.program is not None
            services[name] = ServiceInfo(
                name,
                svc.kind,
                svc.region,
                endpoints,
                pid=pid,
                health=str(svc.health) if own else None,
                offers=tuple(sorted(svc.evidence)) if own else None,
            )
        return StackInfo(
            backend="local",
            topology=self.topology.file,
            toxiproxy=self.toxiproxy.api,
            services=services,
            proxies=self.proxies,
            supervisor_pid=os.getpid(),
            control=str(self.control_path),
            data_dir=str(self.local / "data"),
            extra={"toxiproxy_pid": self.toxiproxy.pid, "logs": str(self.local / "logs")},
        )

    @property
    def control_path(self) -> Path:
        return self.local / "control.sock"

    # --- running -------------------------------------------------------------------------

    async def serve(self) -> None:
        server = await asyncio.start_unix_server(self._handle, path=str(self.control_path))
        watcher = asyncio.create_task(self._watch_toxiproxy())
        try:
            await self.stopping.wait()
        finally:
            watcher.cancel()
            server.close()

    async def _watch_toxiproxy(self) -> None:
        """Toxiproxy is infrastructure: bring it back on the same ports if it dies."""
        while True:
            await asyncio.sleep(0.1)
            proc = self.toxiproxy.proc
            if proc is None or proc.poll() is None:
                continue
            for _ in range(50):
                try:
                    self.toxiproxy.proc = None
                    self.toxiproxy.start(attempts=1)
                    client = ToxiproxyClient(self.toxiproxy.api)
                    client.populate(
                        [
                            {
                                "name": p.name,
                                "listen": p.listen,
                                "upstream": p.upstream,
                                "enabled": True,
                            }
                            for p in self.proxies.values()
                        ]
                    )
                    client.close()
                    self._save()
                    break
                except HarnessError:
                    await asyncio.sleep(0.2)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = await asyncio.wait_for(reader.readline(), 5)
            try:
                request = json.loads(line)
                answer = await self._dispatch(request)
            except (ValueError, KeyError, TypeError) as exc:
                answer = {"ok": False, "error": f"bad request: {exc}"}
            except HarnessError as exc:
                answer = {"ok": False, "error": str(exc)}
            writer.write(json.dumps(answer).encode() + b"\n")
            await writer.drain()
        except (OSError, TimeoutError):
            pass
        finally:
            writer.close()

    async def _dispatch(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        if op == "status":
            return {
                "ok": True,
                "services": {
                    n: {
                        "pid": c.proc.pid if c.proc else None,
                        "alive": c.alive,
                        "paused": c.paused,
                        "killed_by_fault": c.killed_by_fault,
                    }
                    for n, c in self.children.items()
                },
                "toxiproxy_pid": self.toxiproxy.pid,
            }
        if op == "stop":
            self.stopping.set()
            return {"ok": True}
        child = self.children.get(request.get("service", ""))
        if child is None:
            raise StackError(f"no service '{request.get('service')}' in this stack")
        if op == "signal":
            child.signal(request["signal"])
            return {"ok": True}
        if op == "start":
            if not child.alive:
                child.start(self.env)
                await self._wait_healthy([child], 10.0)
                self._save()
            return {"ok": True, "pid": child.proc.pid if child.proc else None}
        raise StackError(f"unknown op '{op}'")

    def _save(self) -> None:
        self.info().save(self.state_dir / "stack.json")

    # --- tear-down -----------------------------------------------------------------------

    def down(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.state_dir / "stack.json").unlink()
        for child in self.children.values():
            if child.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    child.proc.send_signal(signal.SIGCONT)
                    child.proc.terminate()
        deadline = time.monotonic() + 1.5
        for child in self.children.values():
            if child.proc is not None:
                remaining = max(0.0, deadline - time.monotonic())
                with contextlib.suppress(Exception):
                    child.proc.wait(remaining)
                procs.stop(child.proc, grace=0.1)
        self.toxiproxy.stop()
        with contextlib.suppress(FileNotFoundError):
            self.control_path.unlink()


async def _main(args: argparse.Namespace) -> int:
    state_dir = Path(args.state_dir).resolve()
    binary = Path(args.toxiproxy) if args.toxiproxy else None
    supervisor = Supervisor(load_topology(Path(args.topology)), state_dir, binary)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, supervisor.stopping.set)
    try:
        info = await supervisor.up(args.timeout)
        info.save(state_dir / "stack.json")
        print(f"READY {json.dumps({'stack': str(state_dir / 'stack.json')})}", flush=True)
        await supervisor.serve()
        return 0
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        (state_dir / "local" / "error").write_text(str(exc), encoding="utf-8")
        return exc.exit_code
    finally:
        supervisor.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--topology", required=True)
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--toxiproxy", default=None, help="toxiproxy-server binary")
    parser.add_argument("--timeout", type=float, default=20.0)
    sys.exit(asyncio.run(_main(parser.parse_args())))


if __name__ == "__main__":
    main()
