"""A service that answers calls on a SIP listener: a meldkamer, the police contact centre.

Before answering it consults police-ict when the topology gives it that dependency: a
required one that fails refuses the call with 503 (the coupling the harness must catch), its
Warning naming police-ict and how it failed; an optional one that fails is skipped.
"""

from __future__ import annotations

import socket
from urllib.parse import quote

from mock_services.core import policy
from mock_services.core.http_client import ensure_status
from mock_services.core.service import Service
from mock_services.core.sip_refusal import Refusal, dependency_failed
from mock_services.core.sip_transport import SipServer
from mock_services.core.sip_uas import CallAnswerer, IncomingCall


class CallCentre(Service):
    listeners = ("sip", "http")

    async def serve(self, listener: str, sock: socket.socket) -> None:
        if listener != "sip":
            await super().serve(listener, sock)
            return
        host, port = sock.getsockname()[:2]
        self.answerer = CallAnswerer(
            self.name,
            self.stats,
            self.faults,
            contact=f"<sip:{self.name}@{host}:{port};transport=tcp>",
            admit=self.admit if self.screens_calls() else None,
            on_established=self.established,
            answer_delay=self.setting("answer_delay", 0.0),
        )
        server = SipServer(
            self.answerer.on_message, self.stats, on_lost=self.answerer.connection_lost
        )
        await server.start(sock)
        self.on_close(server.close)
        self.on_close(self.answerer.close)

    def screens_calls(self) -> bool:
        """Whether a call waits for `admit` before it rings (else it is answered at once)."""
        return self.config.dependency("police-ict") is not None

    async def admit(self, call: IncomingCall) -> int | Refusal | None:
        """A refusal for `call` (saying which dependency failed), or None to answer it."""
        ict = self.config.dependency("police-ict")
        if ict is None:
            return None
        client = self.http(ict)

        async def lookup() -> None:
            ensure_status(
                await client.request(
                    "GET", f"/api/caller/{quote(call.caller or 'anonymous', safe='')}"
                )
            )

        try:
            await policy.call_optional(ict, lookup, self.stats)
        except policy.DependencyFailed as exc:
            return Refusal(503, dependency_failed(ict.service, exc.reason))
        return None

    def established(self, call: IncomingCall) -> None:
        """Hook: the call is set up (its ACK arrived)."""
