"""Plain servers for the generic-traffic load tests: nothing of the mocks, just what a team's
own system might answer. An HTTP incident API (stdlib http.server), a TCP line server
(PING -> PONG) and SIPp's built-in UAS (Debian's sip-tester), each on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import socketserver
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from harness import procs
from tests.prerequisites import need_program


@dataclass
class Heard:
    """What a server received, safe to read from the test thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    http: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, region
    lines: list[str] = field(default_factory=list)


@contextmanager
def _serving(server: socketserver.BaseServer) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"  # type: ignore[index]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def incident_api(heard: Heard) -> Iterator[str]:
    """POST /incidents: 201 {"status": "accepted"} for a fire, "queued" for anything else;
    GET /status: 200; anything else 404."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _hear(self) -> None:
            with heard.lock:
                heard.http.append((self.command, self.path, self.headers.get("X-Caller-Region")))

        def do_GET(self) -> None:
            self._hear()
            self._answer(200 if self.path == "/status" else 404, {"status": "up"})

        def do_POST(self) -> None:
            self._hear()
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.path != "/incidents":
                self._answer(404, {})
                return
            self._answer(201, {"status": "accepted" if body.get("kind") == "fire" else "queued"})

    with _serving(ThreadingHTTPServer(("127.0.0.1", 0), Handler)) as address:
        yield address


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@contextmanager
def line_server(heard: Heard) -> Iterator[str]:
    """PING -> PONG, anything else -> ERR unknown; one reply line per line."""

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            for raw in self.rfile:
                line = raw.decode().strip()
                with heard.lock:
                    heard.lines.append(line)
                self.wfile.write(b"PONG\n" if line == "PING" else b"ERR unknown\n")

    with _serving(_TCPServer(("127.0.0.1", 0), Handler)) as address:
        yield address


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def sipp_uas() -> Iterator[str]:
    """SIPp's own UAS over TCP: 180, then 200 to every INVITE; 200 to the BYE."""
    sipp = need_program("sipp", "sip-tester")
    port = _free_port()
    argv = [sipp, "-sn", "uas", "-t", "t1", "-i", "127.0.0.1", "-p", str(port), "-nostdin"]
    proc = procs.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"SIPp did not listen on {port} (exit {proc.poll()})"
                    ) from None
                time.sleep(0.1)
        yield f"127.0.0.1:{port}"
    finally:
        procs.stop(proc)
