"""What every mock service is: listeners, counters, application faults, dependency clients.

A service class names its `kind` and `listeners`, declares its own HTTP API in `routes`, and
starts other listeners (SIP, C2000 lines) in `serve`. The `http` listener also carries
/health and the control API; every other HTTP request passes the fault table first, then
finds its handler by path and method (404 / 405 when there is none).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, ClassVar

from mock_services.core.config import Dependency, Listen, ServiceConfig
from mock_services.core.control import control, is_control
from mock_services.core.faults import GARBAGE, AppFault, FaultTable
from mock_services.core.http_client import HttpClient
from mock_services.core.http_server import Hangup, HttpServer, Request, Response
from mock_services.core.line_client import LineClient
from mock_services.core.stats import Stats

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
# path -> method -> handler; a path ending in "*" stands for every path it begins
Routes = Mapping[str, Mapping[str, Handler]]


def find_route(routes: Routes, path: str) -> Mapping[str, Handler] | None:
    """The handlers by method for `path`; None when no route has it."""
    methods = routes.get(path)
    if methods is not None:
        return methods
    for pattern, below in routes.items():
        if pattern.endswith("*") and path.startswith(pattern[:-1]):
            return below
    return None


def open_listener(listen: Listen) -> socket.socket:
    """The listening socket: inherited from the supervisor (`fd`) or bound here."""
    if listen.fd is None:
        bound = socket.create_server((listen.host, listen.port), backlog=1024)
        listen = Listen(listen.host, listen.port, bound.detach())
    # Re-opened from its fd, the socket learns proto=IPPROTO_TCP; asyncio sets TCP_NODELAY on
    # accepted connections only then. Without it Nagle + delayed ACK add ~40 ms to each call.
    sock = socket.socket(fileno=listen.fd)
    sock.setblocking(False)
    return sock


class Service:
    kind: ClassVar[str]
    listeners: ClassVar[tuple[str, ...]] = ("http",)

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self.name = config.name
        self.stats = Stats()
        self.faults = FaultTable()
        self.endpoints: dict[str, str] = {}
        self._closers: list[Callable[[], None]] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._http_clients: dict[str, HttpClient] = {}
        self._line_clients: dict[str, LineClient] = {}
        self._routes = self.routes()

    # --- life cycle --------------------------------------------------------------------------

    async def start(self) -> dict[str, str]:
        """Set up, then listen on every listener; returns listener -> "host:port"."""
        await self.setup()
        for listener in self.listeners:
            sock = open_listener(self.config.listen.get(listener, Listen()))
            host, port = sock.getsockname()[:2]
            self.endpoints[listener] = f"{host}:{port}"
            await self.serve(listener, sock)
        return self.endpoints

    async def serve(self, listener: str, sock: socket.socket) -> None:
        if listener != "http":
            raise NotImplementedError(f"{self.kind} has no '{listener}' listener")
        server = HttpServer(self._http_entry, self.stats)
        await server.start(sock)
        self.on_close(server.close)

    async def setup(self) -> None:
        """Hook: open stores and start background work, before the first connection."""

    async def stop(self) -> None:
        for close in reversed(self._closers):
            try:
                close()
            except Exception:  # shutting down: report and go on closing the rest
                log.exception("error while closing")
        for task in list(self._tasks):
            task.cancel()
        for client in self._http_clients.values():
            client.close()
        for line in self._line_clients.values():
            line.close()

    def on_close(self, close: Callable[[], None]) -> None:
        self._closers.append(close)

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """A background task that is cancelled at stop and whose failure is logged."""
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        error = None if task.cancelled() else task.exception()
        if error is not None:
            self.stats.inc("task_error")
            log.error("background task failed", exc_info=error)

    # --- HTTP --------------------------------------------------------------------------------

    def routes(self) -> Routes:
        """The service's own HTTP API (served after faults). Default: nothing here."""
        return {}

    async def handle(self, request: Request) -> Response:
        methods = find_route(self._routes, request.path)
        if methods is None:
            return Response.json(404, {"error": f"no such endpoint {request.path}"})
        handler = methods.get(request.method)
        if handler is None:
            return Response.json(405, {"error": "method not allowed"})
        return await handler(request)

    async def control_extra(self, request: Request) -> Response | None:
        """Extra /_control/ routes of this service; None when the path is not one."""
        return None

    async def fault(self, protocol: str, tags: tuple[str, ...]) -> AppFault | None:
        """The application fault that answers a request instead of the service (counted as
        fault.<mode>), after the wait of any slow fault; None to serve it."""
        verdict = self.faults.verdict(protocol, tags)
        if verdict.delay:
            await asyncio.sleep(verdict.delay)
        if verdict.answer is not None:
            self.stats.inc(f"fault.{verdict.answer.mode}")
        return verdict.answer

    async def _http_entry(self, request: Request) -> Response:
        if is_control(request.path):
            return await control(request, self.config, self.stats, self.faults, self.control_extra)
        fault = await self.fault("http", ("http", request.path))
        if fault is not None:
            if fault.mode == "garbage":
                raise Hangup(GARBAGE)
            if fault.mode == "drop":
                raise Hangup()
            return Response.json(fault.status or 503, {"error": "application fault"})
        return await self.handle(request)

    # --- dependencies ------------------------------------------------------------------------

    def http(self, dependency: Dependency) -> HttpClient:
        """The keep-alive HTTP client for a dependency (its link's proxy)."""
        client = self._http_clients.get(dependency.service)
        if client is None:
            client = HttpClient(dependency.host, dependency.port)
            self._http_clients[dependency.service] = client
        return client

    def line(self, dependency: Dependency) -> LineClient:
        """The C2000 line client for a dependency (its link's proxy)."""
        client = self._line_clients.get(dependency.service)
        if client is None:
            client = LineClient(dependency.host, dependency.port)
            self._line_clients[dependency.service] = client
        return client

    def setting(self, name: str, default: float) -> float:
        value = self.config.settings.get(name, default)
        return float(value) if isinstance(value, int | float) else default
