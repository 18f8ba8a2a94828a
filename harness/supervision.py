"""The local supervisor's control channel: one JSON line in, one JSON line out, over a unix socket.

Requests (the process fault driver and `harness status` use them):
    {"op": "status"}                                   -> {"ok": true, "services": {name: {"pid", "alive", "paused"}}}
    {"op": "signal", "service": "gms", "signal": "STOP" | "CONT" | "KILL" | "TERM"}
    {"op": "start", "service": "gms"}                  -> starts it again on the same port, waits healthy
    {"op": "stop"}                                     -> the whole stack goes down
Every answer has "ok"; a failed one has "error".
"""

from __future__ import annotations

import json
import socket
from typing import Any

from harness.errors import StackError


class SupervisorClient:
    def __init__(self, path: str, timeout: float = 10.0) -> None:
        self.path = path
        self.timeout = timeout

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        request = json.dumps({"op": op, **args}).encode() + b"\n"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(self.timeout)
                s.connect(self.path)
                s.sendall(request)
                data = b""
                while not data.endswith(b"\n"):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
        except OSError as exc:
            raise StackError(f"local stack supervisor at {self.path} unreachable: {exc}") from None
        try:
            answer: dict[str, Any] = json.loads(data)
        except ValueError:
            raise StackError(f"local stack supervisor gave a bad answer to {op}") from None
        if not answer.get("ok"):
            raise StackError(f"local stack: {op} failed: {answer.get('error', 'unknown error')}")
        return answer
