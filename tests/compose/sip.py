"""A tiny blocking SIP-over-TCP caller for the compose tests: INVITE, ACK, BYE.

Deliberately independent of harness/load (the harness's own caller), so the compose stack is
checked with a second implementation of the wire protocol in docs/architecture.md.
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    provisional: tuple[int, ...]  # 1xx statuses seen before the final answer

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class _Reader:
    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def message(self) -> tuple[str, dict[str, str]]:
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed while waiting for a SIP message")
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        first, *lines = head.decode("utf-8", errors="replace").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            self.buffer += self.sock.recv(65536)
        self.buffer = self.buffer[length:]
        return first, headers


def call(host: str, port: int, number: str, region: str, timeout: float = 5.0) -> Answer:
    """Dial `number` as a caller in `region`; hang up when answered. The final answer."""
    call_id = f"{uuid.uuid4().hex}@compose-test"
    tag = uuid.uuid4().hex[:8]
    with socket.create_connection((host, port), timeout=timeout) as sock:
        local = "{}:{}".format(*sock.getsockname()[:2])
        reader = _Reader(sock)

        def send(method: str, seq: int, to: str, branch: str | None = None) -> str:
            branch = branch or f"z9hG4bK{uuid.uuid4().hex[:16]}"
            lines = [
                f"{method} sip:{number}@dispatch.invalid SIP/2.0",
                f"Via: SIP/2.0/TCP {local};branch={branch}",
                "Max-Forwards: 70",
                f"From: <sip:caller@{local}>;tag={tag}",
                f"To: {to}",
                f"Call-ID: {call_id}",
                f"CSeq: {seq} {method}",
                f"Contact: <sip:caller@{local};transport=tcp>",
                f"X-Caller-Region: {region}",
                "Content-Length: 0",
            ]
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            return branch

        to = f"<sip:{number}@dispatch.invalid>"
        invite_branch = send("INVITE", 1, to)
        provisional = []
        while True:
            first, headers = reader.message()
            status = int(first.split(" ")[1])
            if status >= 200:
                break
            provisional.append(status)
        answer = Answer(status, headers, tuple(provisional))
        to = headers.get("to", to)
        if status >= 300:  # the ACK to a failure belongs to the INVITE transaction
            send("ACK", 1, to, invite_branch)
            return answer
        send("ACK", 1, to)
        send("BYE", 2, to)
        while True:  # the BYE's answer; skip anything else the server sends first
            first, headers = reader.message()
            if headers.get("cseq", "").endswith("BYE") and first.startswith("SIP/2.0"):
                break
        bye_status = int(first.split(" ")[1])
        if bye_status != 200:
            raise AssertionError(f"BYE answered {first}")
        return answer
