"""Minimal real servers for the load tests: a SIP UAS, an HTTP server, a C2000 line server.

They stand in for the mock telephony, office, meldkamer and c2000 services so the load
generators can be tested on their own: real TCP on 127.0.0.1, port 0, a thread per connection,
and a record of what each one received. Their framing is written independently of
harness.load so a bug there cannot hide itself.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Seen:
    """What a server received; safe to read from the test thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    invites: dict[str, str] = field(default_factory=dict)  # Call-ID -> X-Caller-Region
    numbers: Counter[str] = field(default_factory=Counter)
    acks: set[str] = field(default_factory=set)
    byes: set[str] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)
    http: list[tuple[str, str, bytes]] = field(default_factory=list)


class _Server:
    """A threading server started in the background; a context manager."""

    seen: Seen

    def __init__(self, server: socketserver.BaseServer) -> None:
        self.server = server
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])  # type: ignore[index]

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024


# ---- SIP ---------------------------------------------------------------------------------


def _read_sip(rfile: Any) -> tuple[str, dict[str, str]] | None:
    """One request from the stream: start line and headers (lower-case names); None at EOF."""
    start = rfile.readline()
    while start in (b"\r\n", b"\n"):
        start = rfile.readline()
    if not start:
        return None
    headers: dict[str, str] = {}
    while (line := rfile.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode().partition(":")
        headers.setdefault(name.strip().lower(), value.strip())
    rfile.read(int(headers.get("content-length", "0")))
    return start.decode().strip(), headers


def _response(status: str, headers: dict[str, str], extra: dict[str, str]) -> bytes:
    lines = [f"SIP/2.0 {status}"]
    for name in ("via", "from", "to", "call-id", "cseq"):
        value = headers[name]
        if name == "to" and extra.get("_tag") and ";tag=" not in value:
            value += f";tag={extra['_tag']}"
        lines.append(f"{name.title()}: {value}")
    lines += [f"{k}: {v}" for k, v in extra.items() if not k.startswith("_")]
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()


class SipUas(_Server):
    """Answers every INVITE with 100 then 200 OK (X-Answered-By: meldkamer-<caller region>),
    or with `status` when set (`refuse`: a status per dialled number); ACK is recorded, BYE
    gets 200."""

    def __init__(
        self, status: str | None = None, delay: float = 0.0, refuse: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.refuse = refuse or {}
        self.delay = delay
        self.seen = Seen()
        uas = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                while (request := _read_sip(self.rfile)) is not None:
                    uas._handle(*request, self.wfile)

        super().__init__(_TCPServer(("127.0.0.1", 0), Handler))

    def _handle(self, start: str, headers: dict[str, str], out: Any) -> None:
        method, uri, _ = start.split(" ", 2)
        call_id = headers["call-id"]
        with self.seen.lock:
            if method == "INVITE":
                self.seen.invites[call_id] = headers.get("x-caller-region", "")
                self.seen.numbers[uri.removeprefix("sip:").split("@")[0]] += 1
            elif method == "ACK":
                self.seen.acks.add(call_id)
            elif method == "BYE":
                self.seen.byes.add(call_id)
        if method == "INVITE":
            out.write(_response("100 Trying", headers, {}))
            if self.delay:
                time.sleep(self.delay)
            status = self.refuse.get(uri.removeprefix("sip:").split("@")[0], self.status)
            if status is not None:
                out.write(_response(status, headers, {"_tag": "uas"}))
                return
            region = headers.get("x-caller-region", "national")
            answer = {
                "_tag": "uas",
                "Contact": f"<sip:uas@127.0.0.1:{self.port};transport=tcp>",
                "X-Answered-By": f"meldkamer-{region}",
            }
            out.write(_response("200 OK", headers, answer))
        elif method == "BYE":
            out.write(_response("200 OK", headers, {}))


# ---- C2000 line protocol -------------------------------------------------------------------


class LineServer(_Server):
    """PTT <tg> <unit> -> GRANT <tg> <unit>; STATUS <unit> <code> -> ACK <unit>; else ERR."""

    def __init__(self) -> None:
        seen = self.seen = Seen()

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for raw in self.rfile:
                    words = raw.decode().split()
                    with seen.lock:
                        seen.lines.append(" ".join(words))
                    if len(words) == 3 and words[0] == "PTT":
                        reply = f"GRANT {words[1]} {words[2]}"
                    elif len(words) == 3 and words[0] == "STATUS":
                        reply = f"ACK {words[1]}"
                    else:
                        reply = "ERR unknown"
                    self.wfile.write(reply.encode() + b"\n")

        super().__init__(_TCPServer(("127.0.0.1", 0), Handler))


# ---- HTTP ----------------------------------------------------------------------------------


class HttpServer(_Server):
    """GET / -> 200; POST /dispatch -> 200 {"via": "console"}; else 404."""

    def __init__(self, via: str = "console") -> None:
        seen = self.seen = Seen()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                with seen.lock:
                    seen.http.append(("GET", self.path, b""))
                self._send(200 if self.path == "/" else 404, b'{"page": "start"}')

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with seen.lock:
                    seen.http.append(("POST", self.path, body))
                if self.path == "/dispatch":
                    self._send(200, json.dumps({"via": via}).encode())
                else:
                    self._send(404, b"{}")

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        super().__init__(server)
