"""SIP messages in and out: aiosipua does the parsing and serialising; this module checks what
it parsed (aiosipua is lenient), builds answers, and handles Via branches and tags.
"""

from __future__ import annotations

import itertools
import os
import re

from aiosipua import SipMessage, SipRequest, SipResponse

REQUIRED = ("via", "from", "to", "call-id", "cseq")
_CSEQ = re.compile(r"^\s*(\d{1,10})\s+([A-Za-z]+)\s*$")
_BRANCH = re.compile(r";\s*branch\s*=\s*([^;,\s]+)", re.IGNORECASE)
_TOKEN = re.compile(r"^[A-Za-z][A-Za-z0-9._!%*+`'~-]*$")

REASONS = {
    100: "Trying",
    180: "Ringing",
    183: "Session Progress",
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    483: "Too Many Hops",
    486: "Busy Here",
    487: "Request Terminated",
    500: "Server Internal Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    600: "Busy Everywhere",
    603: "Decline",
}

# Unique per process without a system call per message: a random prefix and a counter.
_PREFIX = os.urandom(4).hex()
_COUNTER = itertools.count(1)


class SipDecodeError(ValueError):
    """Bytes that are not a SIP message this world can act on."""


Message = SipRequest | SipResponse


def decode(raw: bytes) -> Message:
    """Parse one framed message and check what the rest of the code relies on."""
    try:
        message = SipMessage.parse(raw)
    except Exception as exc:  # aiosipua on hostile input: any failure means "not SIP"
        raise SipDecodeError(f"unparseable: {exc}") from None
    missing = [h for h in REQUIRED if not message.headers.get_first(h)]
    if isinstance(message, SipRequest):
        if missing:
            raise SipDecodeError(f"missing {', '.join(missing)}")
        if not _TOKEN.match(message.method) or not message.uri:
            raise SipDecodeError("bad request line")
        if cseq(message)[1] != message.method:
            raise SipDecodeError("CSeq method does not match the request")
    else:
        if not 100 <= message.status_code <= 699:
            raise SipDecodeError("bad status code")
        if "via" in missing or "cseq" in missing or "call-id" in missing:
            raise SipDecodeError(f"missing {', '.join(missing)}")
        cseq(message)
        if top_branch(message) is None:  # responses are matched to requests by it
            raise SipDecodeError("Via without branch")
    return message


def cseq(message: SipMessage) -> tuple[int, str]:
    match = _CSEQ.match(message.headers.get_first("cseq") or "")
    if match is None:
        raise SipDecodeError("bad CSeq")
    return int(match.group(1)), match.group(2).upper()


def top_branch(message: SipMessage) -> str | None:
    top = message.headers.get_first("via")
    match = _BRANCH.search(top) if top else None
    return match.group(1) if match else None


def new_branch() -> str:
    return f"z9hG4bK{_PREFIX}{next(_COUNTER):x}"


def new_tag() -> str:
    return f"{_PREFIX}{next(_COUNTER):x}"


def response_to(
    request: SipRequest,
    status: int,
    reason: str | None = None,
    *,
    to_tag: str | None = None,
    extra: dict[str, str] | None = None,
) -> SipResponse:
    """An answer to `request` with its Via, From, To, Call-ID and CSeq (RFC 3261 §8.2.6)."""
    response = SipResponse(status_code=status, reason_phrase=reason or REASONS.get(status, ""))
    for name in ("Via", "From", "To", "Call-ID", "CSeq"):
        for value in request.headers.get(name):
            response.headers.append(name, value)
    to = response.headers.get_first("to")
    if to_tag and to is not None and ";tag=" not in to.replace(" ", "").lower():
        response.headers.set_single("To", f"{to};tag={to_tag}")
    for name, value in (extra or {}).items():
        response.headers.set_single(name, value)
    return response


def push_via(message: SipMessage, via: str) -> None:
    """Put `via` on top of the message's Via headers (a proxy forwarding a request)."""
    below = list(message.headers.get("via"))
    message.headers.remove("via")
    message.headers.append("Via", via)
    for value in below:
        message.headers.append("Via", value)


def pop_via(message: SipMessage) -> None:
    """Remove the top Via (a proxy relaying a response back towards the caller)."""
    below = list(message.headers.get("via"))[1:]
    message.headers.remove("via")
    for value in below:
        message.headers.append("Via", value)


def uri_user(uri: str) -> str:
    """The user part of a SIP URI: `sip:112@host;x` -> `112`."""
    _, _, rest = uri.partition(":")
    user, at, _ = rest.partition("@")
    return user if at else ""


def address_user(value: str) -> str:
    """The user of a From/To value: `"Ann" <sip:ann@host>;tag=1` -> `ann`."""
    uri = value.partition("<")[2].partition(">")[0] if "<" in value else value.partition(";")[0]
    return uri_user(uri.strip())


def reject(raw: bytes, reason: str) -> bytes | None:
    """The best 400 we can give for bytes that were framed but not usable; None when the bytes
    were a response or an ACK, which are never answered."""
    if raw.lstrip().startswith(b"SIP/"):
        return None
    try:
        message = SipMessage.parse(raw)
    except Exception:  # nothing usable: a bare 400
        message = None
    if isinstance(message, SipRequest):
        if message.method == "ACK":
            return None
        return bytes(response_to(message, 400, _safe_reason(reason)))
    return bytes(SipResponse(status_code=400, reason_phrase=_safe_reason(reason)))


def _safe_reason(text: str) -> str:
    return "Bad Request (" + re.sub(r"[^ -~]", "?", text)[:80] + ")"
