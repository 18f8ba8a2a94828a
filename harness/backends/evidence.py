"""Reading the evidence a run leaves in the mock world, through the mocks' HTTP endpoints.

After the load stops a run asks: how many incidents do the meldkamers still hold for GMS
(`GET /_control/buffer`), how often does GMS hold each call (`GET /incidents/by-call`), and does
every service still pass its health check. The services asked are those that offer the
evidence (harness/model/kinds.py EVIDENCE): the mocks by their kind, a team's own program by
`offers:` in the topology. Health and control go direct, never through a proxy, so faults that
are still coming off cannot hide the answer.
"""

from __future__ import annotations

from typing import Any, Protocol

import requests

from harness.backends.probes import healthy
from harness.errors import StackError
from harness.model.stack import StackInfo


class Evidence(Protocol):
    def buffered(self) -> int:
        """Incidents the meldkamers hold that GMS does not have yet."""
        ...

    def incidents(self) -> dict[str, int] | None:
        """How many incidents GMS holds per call id; None when the stack has no GMS.
        StackError when GMS cannot be read."""
        ...

    def health(self) -> dict[str, bool]:
        """Every service, and whether it answers its health check."""
        ...

    def close(self) -> None: ...


class MockEvidence:
    """The mock services' own endpoints, whichever backend runs them."""

    def __init__(self, stack: StackInfo) -> None:
        self.stack = stack
        self.http = requests.Session()

    def buffered(self) -> int:
        meldkamers = [s for s in self.stack.services.values() if "incident-buffer" in s.evidence]
        return sum(
            int(self._json(f"http://{m.endpoints['http']}/_control/buffer").get("pending", 0))
            for m in meldkamers
        )

    def incidents(self) -> dict[str, int] | None:
        gms = next((s for s in self.stack.services.values() if "incidents" in s.evidence), None)
        if gms is None:
            return None
        try:
            answer = self.http.get(f"http://{gms.endpoints['http']}/incidents/by-call", timeout=10)
            answer.raise_for_status()
            counts: dict[str, int] = answer.json()["counts"]
        except (requests.RequestException, ValueError, KeyError) as exc:
            raise StackError(str(exc)) from None
        return counts

    def health(self) -> dict[str, bool]:
        return healthy(self.stack.services)

    def close(self) -> None:
        self.http.close()

    def _json(self, url: str) -> dict[str, Any]:
        try:
            answer = self.http.get(url, timeout=2)
            data: dict[str, Any] = answer.json() if answer.ok else {}
            return data
        except (requests.RequestException, ValueError):
            return {}
