"""Why a call was refused, in SIP's own words, so the caller (and the harness's report) can say
which dependency failed without reading the mock's code.

A refusal carries a `Warning` (RFC 3261 §20.43: `399 <agent> "<text>"`, 399 being the
miscellaneous warning) and a `Reason` (RFC 3326: `SIP ;cause=<status> ;text="<text>"`). The
agent is the service that refused; the text names the dependency and how it failed, e.g.
`police-ict unreachable: connection refused`.
"""

from __future__ import annotations

from dataclasses import dataclass

MISC_WARNING = 399  # RFC 3261 §20.43: "Miscellaneous warning"
MAX_TEXT = 120  # a warn-text is for people: short enough to read in a table cell
# how the mocks' policy (mock_services/core/policy.py) describes a dependency nobody reached
_UNREACHED = ("timeout", "connection", "no route", "network")


def quoted(text: str) -> str:
    """A quoted-string (RFC 3261 §25.1): backslash and double quote escaped, one line."""
    flat = " ".join(text.split())[:MAX_TEXT]
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dependency_failed(service: str, reason: str) -> str:
    """The text for a dependency the policy gave up on: `police-ict unreachable: timeout` when
    it was not reached, `police-ict failed: HTTP 500` when it answered uselessly."""
    unreached = reason.lower().startswith(_UNREACHED)
    return f"{service} {'unreachable' if unreached else 'failed'}: {reason}"


@dataclass(frozen=True)
class Refusal:
    """A final non-2xx answer to an INVITE and why it was given."""

    status: int
    why: str | None = None  # the warn-text; None: no Warning or Reason

    def headers(self, agent: str) -> dict[str, str]:
        if not self.why:
            return {}
        text = quoted(self.why)
        return {
            "Warning": f"{MISC_WARNING} {agent} {text}",
            "Reason": f"SIP ;cause={self.status} ;text={text}",
        }
