"""Run a real toxiproxy-server on 127.0.0.1 as a child process."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import IO, Any

import requests

from harness import procs
from harness.errors import ToxiproxyError
from harness.toxiproxy.binary import ensure


class ToxiproxyServer:
    """A toxiproxy-server child; `start()` returns once its API answers."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        binary: Path | None = None,
        log: IO[Any] | int | None = subprocess.DEVNULL,
    ) -> None:
        self.host = host
        self.port = port
        self.binary = binary
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def api(self) -> str:
        return f"{self.host}:{self.port}"

    def start(self, timeout: float = 10.0, attempts: int = 3) -> ToxiproxyServer:
        binary = self.binary or ensure()
        fixed = self.port != 0
        for _ in range(attempts):
            port = self.port if fixed else procs.free_port(self.host)
            self.proc = procs.spawn(
                [str(binary), "-host", self.host, "-port", str(port)],
                stdout=self.log,
                stderr=self.log,
            )
            self.port = port
            if self._wait_ready(timeout):
                return self
            procs.stop(self.proc)
            if not fixed:
                self.port = 0
        raise ToxiproxyError(f"toxiproxy-server did not start on {self.host}:{self.port}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False  # port taken by someone else between free_port() and bind
            try:
                if requests.get(f"http://{self.api}/version", timeout=0.5).ok:
                    return True
            except requests.RequestException:
                time.sleep(0.02)
        return False

    def stop(self) -> None:
        if self.proc is not None:
            procs.stop(self.proc)
            self.proc = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def __enter__(self) -> ToxiproxyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
