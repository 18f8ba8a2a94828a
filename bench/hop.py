"""P2: what one Toxiproxy hop adds on the 112 path (telephony direct vs through its proxy)."""

from __future__ import annotations

import socket
import statistics
import time
import uuid

from harness.model.stack import Endpoint


def options_rtt(entry: Endpoint, count: int = 2000) -> list[float]:
    """Round-trip seconds of `count` sequential SIP OPTIONS on one TCP connection."""
    rtts = []
    with socket.create_connection((entry.host, entry.port), timeout=5) as conn:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        buffer = b""
        for n in range(count):
            call_id = uuid.uuid4().hex
            message = (
                f"OPTIONS sip:telephony@{entry} SIP/2.0\r\n"
                f"Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK{call_id[:12]}\r\n"
                f"From: <sip:bench@127.0.0.1>;tag={n}\r\nTo: <sip:telephony@{entry}>\r\n"
                f"Call-ID: {call_id}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                "Content-Length: 0\r\n\r\n"
            ).encode()
            started = time.perf_counter()
            conn.sendall(message)
            while b"\r\n\r\n" not in buffer:
                chunk = conn.recv(65536)
                if not chunk:
                    raise ConnectionError("telephony closed the connection")
                buffer += chunk
            rtts.append(time.perf_counter() - started)
            buffer = buffer.split(b"\r\n\r\n", 1)[1]  # OPTIONS answers carry no body here
    return rtts


def added_p50_ms(direct: Endpoint, proxied: Endpoint, count: int = 2000) -> tuple[float, float]:
    """(direct p50, proxied p50) in milliseconds, interleaved in rounds to share the noise."""
    d: list[float] = []
    p: list[float] = []
    for _ in range(4):
        d += options_rtt(direct, count // 4)
        p += options_rtt(proxied, count // 4)
    return statistics.median(d) * 1000, statistics.median(p) * 1000
