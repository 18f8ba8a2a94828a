"""SIGINT/SIGTERM during a run: during set-up they abort at once; during the run they ask the
watch loop to stop, so the faults come off before anything else happens."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any, Self

from harness.errors import Interrupted


class Signals:
    def __init__(self) -> None:
        self.received: int | None = None
        self.in_run = False
        self._saved: dict[int, Any] = {}

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.received is None
        self.received = self.received or signum
        if not self.in_run or not first:
            raise Interrupted(signum)
