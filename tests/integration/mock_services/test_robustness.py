"""Every service, started for real: loopback only, garbage-proof, quick to stop, configurable."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import psutil
import pytest

from tests.integration.mock_services.world import start_standalone, stop_standalone

pytestmark = pytest.mark.integration

MODULES = {
    "telephony": "mock_services.telephony",
    "meldkamer": "mock_services.meldkamer",
    "gms": "mock_services.gms",
    "radio-console": "mock_services.radio_console",
    "c2000": "mock_services.c2000",
    "police-ict": "mock_services.police_ict",
    "police-contact-centre": "mock_services.police_contact_centre",
    "office": "mock_services.office",
}
SIP_OPTIONS = (
    b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:1;branch=z9hG4bKrobust\r\n"
    b"From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: robust\r\n"
    b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
)
_rng = random.Random(20200915)
GARBAGE = [
    bytes(_rng.randrange(256) for _ in range(3000)),  # noise
    b"\x00" * 70000,  # larger than any message limit
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n",
    b"INVITE sip:112@x SIP/2.0\r\nContent-Length: -5\r\n\r\n",
    SIP_OPTIONS[:50],  # truncated, then the peer goes away
    b"PTT " + b"a" * 5000 + b"\n",
    "MSG tg \u00e9\udc80\n".encode("utf-8", "surrogatepass"),  # not UTF-8
    b"\r\n\r\n\r\n",
]


@pytest.fixture(scope="module", params=sorted(MODULES))
def service(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[subprocess.Popen[bytes], dict[str, str]]]:
    proc, endpoints = start_standalone(MODULES[request.param])
    yield proc, endpoints
    stop_standalone(proc)


def address(endpoint: str) -> tuple[str, int]:
    host, _, port = endpoint.rpartition(":")
    return host, int(port)


def http_get(endpoint: str, path: str = "/health") -> int:
    with socket.create_connection(address(endpoint), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        return int(sock.makefile("rb").readline().split()[1])


def still_serves(listener: str, endpoint: str) -> bool:
    """A well-formed request on a fresh connection gets its proper answer."""
    with socket.create_connection(address(endpoint), timeout=5) as sock:
        reader = sock.makefile("rb")
        if listener == "sip":
            sock.sendall(SIP_OPTIONS)
            return reader.readline().startswith(b"SIP/2.0 200")
        if listener == "line":
            sock.sendall(b"PING\n")
            return reader.readline() == b"PONG\n"
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        return reader.readline().startswith(b"HTTP/1.1 200")


def send_garbage(endpoint: str, garbage: bytes) -> bytes:
    """Send garbage, half-close, read what comes back until the service closes (or 3 s)."""
    with socket.create_connection(address(endpoint), timeout=3) as sock:
        try:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return b""  # it hung up on us mid-send: a clean close
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
        return answer


def test_every_listener_is_on_loopback_only(
    service: tuple[subprocess.Popen[bytes], dict[str, str]],
) -> None:
    proc, endpoints = service
    assert all(e.startswith("127.0.0.1:") for e in endpoints.values())
    listening = [
        c.laddr
        for c in psutil.Process(proc.pid).net_connections("inet")
        if c.status == psutil.CONN_LISTEN
    ]
    assert len(listening) == len(endpoints)
    assert all(addr.ip == "127.0.0.1" for addr in listening)


def test_health_answers(service: tuple[subprocess.Popen[bytes], dict[str, str]]) -> None:
    assert http_get(service[1]["http"]) == 200


@pytest.mark.parametrize("garbage", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_gets_an_error_answer_or_a_close_and_the_service_keeps_serving(
    service: tuple[subprocess.Popen[bytes], dict[str, str]], garbage: bytes
) -> None:
    proc, endpoints = service
    for listener, endpoint in endpoints.items():
        answer = send_garbage(endpoint, garbage)
        error_answers = (b"SIP/2.0 400", b"HTTP/1.1 4", b"ERR ")
        assert answer == b"" or answer.startswith(error_answers), (listener, answer[:80])
        assert proc.poll() is None
        assert still_serves(listener, endpoint), listener


@pytest.mark.parametrize("module", sorted(MODULES.values()))
def test_sigterm_ends_a_service_cleanly_within_a_second(module: str) -> None:
    proc, endpoints = start_standalone(module)
    try:
        # an open, idle client connection must not hold the shutdown up
        with socket.create_connection(address(endpoints["http"]), timeout=5):
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(5)
            assert time.monotonic() - started < 1.0
        assert code == 0
        assert proc.stderr is not None and b"Traceback" not in proc.stderr.read()
    finally:
        stop_standalone(proc)


def test_the_config_can_come_from_the_environment() -> None:
    config = {
        "name": "gms-from-env",
        "kind": "gms",
        "listen": {"http": {"host": "127.0.0.1", "port": 0}},
    }
    env = {**os.environ, "DC_SERVICE_CONFIG": json.dumps(config)}
    proc, endpoints = start_standalone("mock_services.gms", env=env)
    try:
        with socket.create_connection(address(endpoints["http"]), timeout=5) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert b'"service": "gms-from-env"' in sock.makefile("rb").read()
    finally:
        stop_standalone(proc)


def test_a_bad_config_exits_2_with_a_message_not_a_traceback() -> None:
    env = {**os.environ, "DC_SERVICE_CONFIG": "{not json"}
    result = subprocess.run(
        [sys.executable, "-m", "mock_services.office"], env=env, capture_output=True, timeout=30
    )
    assert result.returncode == 2
    assert b"bad config" in result.stderr and b"Traceback" not in result.stderr
