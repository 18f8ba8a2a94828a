"""A world behind the proxies: a TCP echo upstream, and one real Toxiproxy proxy per link."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from harness.toxiproxy.client import ToxiproxyClient

LINKS = ("a->c", "b->c", "c->d")


class _Echo(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(4096):
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture
def echo() -> Iterator[str]:
    """host:port of a TCP echo server on 127.0.0.1."""
    server = EchoServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def make_proxies(
    client: ToxiproxyClient, upstream: str, links: tuple[str, ...] = LINKS
) -> dict[str, str]:
    """One proxy per link to `upstream`; link -> listen address."""
    proxies = client.populate(
        [{"name": link, "listen": "127.0.0.1:0", "upstream": upstream} for link in links]
    )
    return {name: p.listen for name, p in proxies.items()}


@pytest.fixture
def links(toxiproxy: ToxiproxyClient, echo: str) -> dict[str, str]:
    return make_proxies(toxiproxy, echo)


def round_trip(listen: str, timeout: float = 3.0) -> float | None:
    """Seconds for one echo through a proxy, or None when the connection is refused or cut."""
    import time

    host, _, port = listen.rpartition(":")
    start = time.monotonic()
    try:
        with socket.create_connection((host, int(port)), timeout=timeout) as s:
            s.sendall(b"ping\n")
            data = s.recv(16)
    except OSError:
        return None
    return time.monotonic() - start if data == b"ping\n" else None
