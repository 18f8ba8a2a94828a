"""Application faults: what a service does instead of its job while a fault is set.

The harness sets them through the control API (`PUT /_control/faults/<id>`):

    {"mode": "sip", "status": 503}    SIP requests are refused with that status
    {"mode": "http", "status": 500}   HTTP requests are answered with that status
    {"mode": "slow", "delay": 2.0}    every request waits that many seconds first
    {"mode": "garbage"}               bytes that are no protocol at all instead of an answer
    {"mode": "drop"}                  no answer (HTTP and line: the connection is closed)

each with an optional "scope" that limits it to matching requests: a tag the service gives
the request (the listener `sip` / `http` / `line`, a SIP method, a number class `112` / `0900`
/ `088`, a C2000 command) or, starting with "/", an HTTP path prefix. Health and control
requests are never faulted. Only requests that start work are faulted (SIP INVITE and OPTIONS,
every HTTP request, every C2000 command): a call already set up can still be hung up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

MODES = ("sip", "http", "slow", "garbage", "drop")
STATUS_RANGE = {"sip": (400, 699), "http": (400, 599)}
MAX_DELAY = 600.0
FAULT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")

# Not SIP, not HTTP, not a C2000 line; it ends in a blank line so a SIP peer's framing survives.
GARBAGE = b"GARBAGE\x00\xff\xfe\x01 not a protocol\r\n\r\n"


class FaultError(ValueError):
    """A fault spec the control API rejects (answered 400 with this message)."""


@dataclass(frozen=True)
class AppFault:
    mode: str
    status: int | None = None
    delay: float = 0.0
    scope: str | None = None

    @classmethod
    def from_json(cls, raw: object) -> AppFault:
        if not isinstance(raw, dict):
            raise FaultError('a fault is a JSON object like {"mode": "sip", "status": 503}')
        unknown = sorted(set(raw) - {"mode", "status", "delay", "scope"})
        if unknown:
            raise FaultError(f"unknown field '{unknown[0]}' (known: mode, status, delay, scope)")
        mode = raw.get("mode")
        if mode not in MODES:
            raise FaultError(f"mode must be one of {', '.join(MODES)}")
        scope = raw.get("scope")
        if scope is not None and (not isinstance(scope, str) or not scope):
            raise FaultError("scope must be a non-empty string")
        status: int | None = None
        delay = 0.0
        if mode in STATUS_RANGE:
            low, high = STATUS_RANGE[mode]
            status = raw.get("status")
            if not isinstance(status, int) or isinstance(status, bool) or not low <= status <= high:
                raise FaultError(f"a {mode} fault needs a status from {low} to {high}")
        elif mode == "slow":
            value = raw.get("delay")
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise FaultError("a slow fault needs a delay in seconds")
            delay = float(value)
            if not 0 <= delay <= MAX_DELAY:
                raise FaultError(f"delay must be from 0 to {MAX_DELAY:g} seconds")
        return cls(mode, status, delay, scope)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mode": self.mode}
        if self.status is not None:
            out["status"] = self.status
        if self.mode == "slow":
            out["delay"] = self.delay
        if self.scope is not None:
            out["scope"] = self.scope
        return out

    def covers(self, protocol: str, tags: Iterable[str]) -> bool:
        """Does this fault apply to a request of `protocol` (sip, http, line) with `tags`?"""
        if self.mode in STATUS_RANGE and self.mode != protocol:
            return False
        return self.scope is None or any(_scope_matches(self.scope, tag) for tag in tags)


def _scope_matches(scope: str, tag: str) -> bool:
    if scope.startswith("/") and tag.startswith("/"):
        prefix = scope.rstrip("/")
        return tag == prefix or tag.startswith(prefix + "/") or prefix == ""
    return scope == tag


@dataclass(frozen=True)
class Verdict:
    """What the faults say about one request: wait `delay`, then let `answer` reply instead
    of the service (a sip/http/garbage/drop fault), or serve it normally when None."""

    delay: float = 0.0
    answer: AppFault | None = None


HEALTHY = Verdict()


class FaultTable:
    """The faults set on one service, by id. The first matching answering fault wins (in the
    order they were set); slow faults add up to the longest matching delay."""

    def __init__(self) -> None:
        self._faults: dict[str, AppFault] = {}

    def put(self, fault_id: str, fault: AppFault) -> None:
        if not FAULT_ID.match(fault_id):
            raise FaultError("a fault id is 1-100 characters of letters, digits and . _ : -")
        self._faults.pop(fault_id, None)  # re-setting a fault moves it to the end
        self._faults[fault_id] = fault

    def remove(self, fault_id: str) -> bool:
        return self._faults.pop(fault_id, None) is not None

    def clear(self) -> int:
        count = len(self._faults)
        self._faults.clear()
        return count

    def to_json(self) -> dict[str, dict[str, Any]]:
        return {fault_id: fault.to_json() for fault_id, fault in self._faults.items()}

    def verdict(self, protocol: str, tags: Iterable[str]) -> Verdict:
        if not self._faults:
            return HEALTHY  # the common case, kept cheap
        tags = tuple(tags)
        delay = 0.0
        answer: AppFault | None = None
        for fault in self._faults.values():
            if not fault.covers(protocol, tags):
                continue
            if fault.mode == "slow":
                delay = max(delay, fault.delay)
            elif answer is None:
                answer = fault
        return Verdict(delay, answer)
