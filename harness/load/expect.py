"""What a declared traffic class's answer must be (docs/scenarios.md, generic traffic): one
verdict per answer, `None` for a success or the journal's `error` for a failure. Pure
functions of the answer, no Locust, no sockets.
"""

from __future__ import annotations

import json
from typing import Any

from harness.model.traffic import HttpExchange, SipExchange, TcpExchange

MISSING = object()


def with_region(text: str, region: str | None) -> str:
    """`{region}` in a URI, path or line is the user's region (`national` without one)."""
    return text.replace("{region}", region or "national")


def sip_failure(exchange: SipExchange, status: int | None, error: str | None) -> str | None:
    """A final answer whose status is expected is a success; anything else is not."""
    if status is None:
        return error or "no final answer"
    if status in exchange.expect:
        return None
    return f"unexpected {error or status} (expected {_codes(exchange.expect)})"


def http_failure(exchange: HttpExchange, status: int, text: str) -> str | None:
    """An expected status, and the JSON field equal to the expected value when one is given."""
    if status not in exchange.expect:
        return f"HTTP {status} (expected {_codes(exchange.expect)})"
    if exchange.json_field is None:
        return None
    try:
        answer = json.loads(text)
    except ValueError:
        return "protocol error: the answer is no JSON"
    found = json_field(answer, exchange.json_field)
    if found is MISSING:
        return f"protocol error: no '{exchange.json_field}' in the answer"
    wanted = json.loads(exchange.json_equals or "null")
    if found != wanted:
        return f"{exchange.json_field} is {_short(found)}, expected {_short(wanted)}"
    return None


def json_field(document: Any, path: str) -> Any:
    """`a.b.0.c` into nested objects and lists; MISSING where the path leads nowhere."""
    node = document
    for step in path.split("."):
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
            node = node[int(step)]
        else:
            return MISSING
    return node


def tcp_failure(exchange: TcpExchange, reply: str, region: str | None) -> str | None:
    """Exactly the expected line ({region} filled in) is a success."""
    wanted = with_region(exchange.expect, region)
    if reply == wanted:
        return None
    return f"unexpected reply {reply[:80]!r} (expected {wanted!r})"


def _codes(codes: tuple[int, ...]) -> str:
    return " or ".join(map(str, codes))


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 60 else text[:57] + "..."
