"""The kinds of mock service the harness can start, and what each one listens on.

A link into a service goes to the kind's primary listener (the first one); a client link may
name another listener (dispatchers reach a meldkamer's HTTP API, callers its SIP port via
telephony). Every kind also has `http` for health and the control API.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    module: str
    listeners: tuple[str, ...]
    fallbacks: tuple[str, ...] = ()  # the fallback policies this kind knows how to honour
    offers: tuple[str, ...] = ()  # the evidence (below) this kind answers

    @property
    def primary(self) -> str:
        return self.listeners[0]


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "telephony",
            "mock_services.telephony",
            ("sip", "http"),
            ("backup-region", "next-copy"),  # next-copy: a 112 platform's redundant copies
        ),
        Kind(
            "meldkamer",
            "mock_services.meldkamer",
            ("sip", "http"),
            ("buffer", "radio-sets"),
            offers=("incident-buffer", "dispatch-via"),
        ),
        Kind("gms", "mock_services.gms", ("http",), ("degrade",), offers=("incidents",)),
        Kind("radio-console", "mock_services.radio_console", ("http",)),
        Kind("c2000", "mock_services.c2000", ("line", "http")),
        Kind("police-ict", "mock_services.police_ict", ("http",)),
        Kind("police-contact-centre", "mock_services.police_contact_centre", ("sip", "http")),
        Kind("office", "mock_services.office", ("http",), ("degrade",)),
    )
}

OWN = "own"  # the kind of a team's own program that plays no mock's role

# Evidence: what a metric needs to read from the world beyond the journal, as an HTTP contract a
# team's own program can offer (`offers:` in the topology; docs/own-system.md).
EVIDENCE: dict[str, str] = {
    "incidents": 'GET /incidents/by-call on its http listener, answering {"counts": {CALL_ID: N}}',
    "incident-buffer": 'GET /_control/buffer on its http listener, answering {"pending": N}',
    "dispatch-via": 'POST /dispatch answering {"via": "console" | "radio-sets"}',
}
