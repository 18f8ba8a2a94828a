"""What a failed request's journal `error` says went wrong, as a cause failures are grouped by.

The texts come from the load users (harness/load: sip.py, transport.py `describe`, users.py):
a SIP final answer (`503 Service Unavailable`, with the mock's `Warning` or `Reason` after a
`; ` when it gave one), `HTTP 503`, or a transport failure (`connection refused`, `timeout: no
final answer to INVITE`, `protocol error: ...`). A Warning (RFC 3261 §20.43: `399 agent "text"`)
splits into who refused (the agent) and why (the text), so one cause can gather the same
refusal from several meldkamers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CODE = 100  # characters of a cause's code kept: an error is at most 200 (MAX_ERROR)
NO_ERROR = "failed, no error recorded"

# `503 Service Unavailable`, also inside `unexpected 503 ... (expected 200)` (generic SIP users)
_STATUS = re.compile(r"(?:^|unexpected )(?P<code>[1-6]\d\d(?: [^;()]*)?)")
_WARNING = re.compile(r'; Warning: \d{3} (?P<agent>\S+) "(?P<text>(?:[^"\\]|\\.)*)"?')
_REASON = re.compile(r'; Reason: .*?text="(?P<text>(?:[^"\\]|\\.)*)"?')


@dataclass(frozen=True)
class Cause:
    """One kind of failure: `code` what the client saw (`503 Service Unavailable`, `HTTP 500`,
    `timeout: no final answer to INVITE`), `why` what the refusing side said (a Warning's text:
    `police-ict unreachable: connection refused`), `agent` who said it."""

    code: str
    why: str = ""
    agent: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """Failures group by what went wrong, whoever said it."""
        return self.code, self.why


def cause_of(error: str | None) -> Cause:
    """The cause a journal request's `error` names."""
    if not error:
        return Cause(NO_ERROR)
    text = " ".join(error.split())
    status = _STATUS.search(text)
    if status is None:
        return Cause(text[:MAX_CODE])
    code = status.group("code").strip()[:MAX_CODE]
    if warning := _WARNING.search(text):
        return Cause(code, _unquote(warning.group("text")), warning.group("agent"))
    if reason := _REASON.search(text):
        return Cause(code, _unquote(reason.group("text")))
    return Cause(code)


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).strip()
