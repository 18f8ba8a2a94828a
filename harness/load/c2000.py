"""A blocking client for the C2000 line protocol (docs/architecture.md): radio units keying up
(PTT -> GRANT) and sending status codes (STATUS -> ACK) on their region's talkgroup.

One connection per radio unit (line.py); after a failure it is dropped and the next request
connects again, so a late reply can never answer the wrong request.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from harness.load.line import LineClient
from harness.load.transport import Connector, OperationFailed


def talkgroup(region: str | None) -> str:
    """Every region's units share one talkgroup (a regional dispatch group)."""
    return f"tg-{region or 'national'}"


class RadioUnit(LineClient):
    def __init__(
        self, connect: Connector, unit: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__(connect, clock)
        self.unit = unit

    def ptt(self, group: str, timeout: float) -> None:
        """Key up on `group`; raises OperationFailed unless the network grants it."""
        self._expect(f"PTT {group} {self.unit}", f"GRANT {group} {self.unit}", timeout)

    def status(self, code: int, timeout: float) -> None:
        """Send a status code (e.g. 2 = available); raises OperationFailed unless acknowledged."""
        self._expect(f"STATUS {self.unit} {code}", f"ACK {self.unit}", timeout)

    def _expect(self, request: str, reply: str, timeout: float) -> None:
        answer = self.exchange(request, timeout)
        if answer != reply:
            if answer.startswith("ERR"):
                raise OperationFailed(answer)
            raise OperationFailed(f"protocol error: unexpected reply {answer[:80]!r}")
