"""Is a service up? The three health checks a topology or stack file can name:

    tcp              a TCP connect succeeds
    http GET /path   the answer is 200
    sip OPTIONS      an OPTIONS over TCP gets a final answer

A SIP service counts as up on ANY final answer (200-699): it parsed a request and answered it,
which is what "up" means here. A SIP proxy such as Kamailio often answers an OPTIONS addressed
to itself with 404 or 483 unless its config handles it; demanding 200 would call it down.
Provisional answers (100 Trying) are read past; silence, garbage or a closed connection is down.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator, Mapping

from harness.model.program import Health, parse_health
from harness.model.stack import Endpoint, ServiceInfo

MAX_HEADER_LINES = 100  # an answer with more is not a SIP answer we wait for


@contextlib.asynccontextmanager
async def _connection(
    host: str, port: int, timeout: float
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter] | None]:
    """An open TCP connection (closed again afterwards), or None when none opens in time."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        yield None
        return
    try:
        yield reader, writer
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def tcp_ok(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when a TCP connection opens within timeout."""
    async with _connection(host, port, timeout) as conn:
        return conn is not None


async def http_ok(host: str, port: int, path: str = "/health", timeout: float = 1.0) -> bool:
    """True when GET path answers 200 within timeout (plain HTTP/1.1, no keep-alive)."""
    async with _connection(host, port, timeout) as conn:
        if conn is None:
            return False
        reader, writer = conn
        try:
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            await writer.drain()
            status = await asyncio.wait_for(reader.readline(), timeout)
            return status.split(b" ")[1:2] == [b"200"]
        except (OSError, TimeoutError, IndexError):
            return False


def options_request(host: str, port: int, local: str) -> bytes:
    """A minimal RFC 3261 OPTIONS for the server itself (no user part), over TCP."""
    tag, branch, call_id = (secrets.token_hex(6) for _ in range(3))
    lines = [
        f"OPTIONS sip:{host}:{port};transport=tcp SIP/2.0",
        f"Via: SIP/2.0/TCP {local};branch=z9hG4bK{branch}",
        "Max-Forwards: 70",
        f"From: <sip:health@{local}>;tag={tag}",
        f"To: <sip:{host}:{port}>",
        f"Call-ID: {call_id}@dispatch-chaos",
        "CSeq: 1 OPTIONS",
        "Accept: application/sdp",
        "Content-Length: 0",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def final_status(line: bytes) -> int | None:
    """The status code of a final SIP answer's status line; None for 1xx or not SIP."""
    parts = line.split(b" ", 2)
    if len(parts) < 2 or parts[0] != b"SIP/2.0" or not parts[1].isdigit():
        return None
    code = int(parts[1])
    return code if 200 <= code <= 699 else None


async def _answer(reader: asyncio.StreamReader) -> int | None:
    """Read answers until a final one; its code, or None when the stream is not SIP."""
    while True:
        status = await reader.readline()
        if not status.startswith(b"SIP/2.0 "):
            return None
        length = 0
        for _ in range(MAX_HEADER_LINES):
            header = (await reader.readline()).strip()
            if not header:
                break
            name, _, value = header.partition(b":")
            if name.strip().lower() in (b"content-length", b"l"):
                length = int(value.strip() or 0)
        else:
            return None
        await reader.readexactly(length)
        if (code := final_status(status.strip())) is not None:
            return code


async def sip_options_ok(host: str, port: int, timeout: float = 1.0) -> bool:
    """True when a SIP OPTIONS over TCP gets a final answer (any 2xx-6xx) within timeout."""
    async with _connection(host, port, timeout) as conn:
        if conn is None:
            return False
        reader, writer = conn
        try:
            sock = writer.get_extra_info("sockname")
            local = f"{sock[0]}:{sock[1]}" if sock else "127.0.0.1:5060"
            writer.write(options_request(host, port, local))
            await writer.drain()
            return await asyncio.wait_for(_answer(reader), timeout) is not None
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
            return False


async def probe(health: Health, at: Endpoint, timeout: float = 1.0) -> bool:
    """One health check on one endpoint."""
    if health.check == "http":
        return await http_ok(at.host, at.port, health.path, timeout)
    if health.check == "sip":
        return await sip_options_ok(at.host, at.port, timeout)
    return await tcp_ok(at.host, at.port, timeout)


def check_of(service: ServiceInfo) -> tuple[Health, Endpoint]:
    """A service's health check and the endpoint it runs on (a mock's: GET /health on http)."""
    health = parse_health(service.health or "http GET /health")
    listener = health.listener(tuple(service.endpoints))
    return health, service.endpoint(listener)


async def _all(services: Mapping[str, ServiceInfo], timeout: float) -> dict[str, bool]:
    checks = {name: check_of(svc) for name, svc in services.items()}
    results = await asyncio.gather(*(probe(h, at, timeout) for h, at in checks.values()))
    return dict(zip(checks, results, strict=True))


def healthy(services: Mapping[str, ServiceInfo], timeout: float = 2.0) -> dict[str, bool]:
    """Every service, and whether its health check passes (all checked at once)."""
    return asyncio.run(_all(services, timeout))
