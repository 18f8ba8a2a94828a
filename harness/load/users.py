"""Locust user classes, named by the traffic registry (harness/model/traffic.py); `user_class`
makes one per `UserGroup`.

Imported only inside the Locust subprocess (importing Locust monkey-patches the process with
gevent). Every user paces itself to its share of the group's rate (rates.py), starts at a
random offset within its first period so that arrivals spread instead of arriving in a burst,
starts nothing before `wall_start` or after `end`, and bounds every request by the timeout.
"""

from __future__ import annotations

import importlib
import itertools
import json
import sys
import time
from typing import Any

import gevent
from gevent import socket as gsocket
from locust import FastHttpUser, User, task

from harness.load.c2000 import RadioUnit, talkgroup
from harness.load.config import LoadConfig, UserGroup
from harness.load.custom import own_user_class
from harness.load.paced import Paced, transport_error
from harness.load.sip import SipCaller
from harness.load.transport import OperationFailed, describe, tcp_connector
from harness.model.traffic import TRAFFIC_CLASSES, CustomUser, TrafficClass

STATUS_CODES = (1, 2, 3, 4, 5, 6, 7, 8)  # C2000 unit status codes a unit cycles through


class SipCallerUser(Paced, User):
    """A caller dialling 112, 0900-8844 or 088 from one region, over one TCP connection."""

    abstract = True

    def on_start(self) -> None:
        self.caller = SipCaller(
            tcp_connector(self.group.host, self.group.port, gsocket.create_connection),
            self.group.host,
            self.group.port,
        )
        # A phone is connected before anyone dials: the first call after t = 0 does not pay
        # for the connection (through a container network, hundreds of ms at the start)
        self.caller.connect(self.load.options.timeout)
        self._begin()
        self.caller.user = f"caller-{self.unit_name}"  # the name comes with the user's slot

    def on_stop(self) -> None:
        self.caller.close()

    @task
    def call(self) -> None:
        """One arrival: a call, its redials while it fails, then perhaps 112 instead."""
        self._check_end()
        number = self.group.number or "112"
        ok = self._dial(number)
        redial = self.group.redial
        attempt = 0
        while not ok and redial is not None and attempt < redial.attempts:
            if time.time() + redial.after >= self.load.end:
                return  # no redial starts after the end
            gevent.sleep(redial.after)
            attempt += 1
            ok = self._dial(number, f"(redial {attempt})")
        spill = self.group.spill_to_112
        if not ok and spill and self.rng.random() < spill and time.time() < self.load.end:
            # journaled as a 112 caller, the name saying where the caller came from
            self._dial("112", f"(spilled from {self.group.traffic})", traffic="callers-112")

    def _dial(self, number: str, note: str = "", traffic: str | None = None) -> bool:
        options = self.load.options
        result = self.caller.call(number, self.group.region, options.timeout, options.hold)
        extra = {"traffic": traffic} if traffic else {}
        self._fire(
            "SIP",
            " ".join(part for part in ("INVITE", number, self.group.region, note) if part),
            result.start,
            result.latency,
            failure=None if result.ok else result.error,
            error=result.error if result.ok else None,
            call_id=result.call_id,
            answered_by=result.answered_by,
            **extra,
        )
        return result.ok


class RadioUnitUser(Paced, User):
    """A radio unit on C2000: alternately keys up on its talkgroup and sends a status."""

    abstract = True

    def on_start(self) -> None:
        self._begin()
        self.radio = RadioUnit(
            tcp_connector(self.group.host, self.group.port, gsocket.create_connection),
            f"unit-{self.unit_name}",
        )
        self.turn = itertools.cycle(("PTT", "STATUS"))

    def on_stop(self) -> None:
        self.radio.close()

    @task
    def transmit(self) -> None:
        self._check_end()
        timeout = self.load.options.timeout
        what = next(self.turn)
        started, began = time.time(), time.perf_counter()
        failure = None
        try:
            if what == "PTT":
                self.radio.ptt(talkgroup(self.group.region), timeout)
            else:
                self.radio.status(self.rng.choice(STATUS_CODES), timeout)
        except (OperationFailed, OSError) as exc:
            failure = describe(exc)
        latency = time.perf_counter() - began
        name = f"{what} {self.group.region or ''}".strip()
        self._fire("C2000", name, started, latency, failure=failure)


class _HttpUser(Paced, FastHttpUser):
    abstract = True
    max_retries = 0
    concurrency = 1

    def on_start(self) -> None:
        self._begin()

    def _http(self, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        """One request, bounded by the timeout as a whole (connect, send, answer, body)."""
        self._check_end()
        name = f"{method} {path} {self.group.region or ''}".strip()
        with (
            gevent.Timeout(self.load.options.timeout),
            self.client.request(method, path, name=name, json=body, catch_response=True) as resp,
        ):
            if resp.status_code == 0:  # no answer: the transport failed
                resp.failure(transport_error(getattr(resp, "error", None)))
            elif resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
            else:
                self.answered(resp)

    def answered(self, resp: Any) -> None:
        """A 200: check the body where the protocol promises one."""


class OfficeUser(_HttpUser):
    """Office automation: a user opening the start page (GET /)."""

    abstract = True

    @task
    def page(self) -> None:
        self._http("GET", "/")


class DispatcherUser(_HttpUser):
    """A dispatcher sending a unit to an incident through their meldkamer (POST /dispatch)."""

    abstract = True

    def on_start(self) -> None:
        self.sent = 0
        super().on_start()

    @task
    def dispatch(self) -> None:
        region = self.group.region or "national"
        self.sent += 1
        body = {"incident": f"inc-{region}-{self.tag}-{self.sent}", "unit": f"unit-{region}"}
        self._http("POST", "/dispatch", body)

    def answered(self, resp: Any) -> None:
        try:
            via = json.loads(resp.text or "")["via"]
        except (ValueError, KeyError, TypeError):
            resp.failure("protocol error: no 'via' in the answer")
            return
        resp.request_meta["context"]["via"] = str(via)


def base_class(traffic: str | TrafficClass) -> type[User]:
    """The user class a traffic class names (harness/model/traffic.py); a team's own is
    imported from the folders the scenario gave it first."""
    traffic = TRAFFIC_CLASSES[traffic] if isinstance(traffic, str) else traffic
    if isinstance(traffic.exchange, CustomUser):
        sys.path[:0] = [p for p in traffic.exchange.search if p not in sys.path]
    module, _, name = traffic.user.partition(":")
    base = getattr(importlib.import_module(module), name, None)
    if not (isinstance(base, type) and issubclass(base, User)):
        raise TypeError(f"traffic {traffic.name}: {traffic.user} is no Locust user")
    return base


def user_class(group: UserGroup, load: LoadConfig) -> type[User]:
    """The Locust class for one group: `fixed_count` users, each paced to its share of the rate
    (unpaced, with no rate: each user starts its next request as soon as the last one ended)."""
    timeout = load.options.timeout_of(group.traffic_class)
    attrs: dict[str, Any] = {
        "abstract": False,
        "group": group,
        "load": load,
        "_count": itertools.count(),
        "fixed_count": group.users,
        "host": f"http://{group.host}:{group.port}",
        "network_timeout": timeout,
        "connection_timeout": timeout,
    }
    base = base_class(group.traffic_class)
    if isinstance(group.traffic_class.exchange, CustomUser):
        return own_user_class(group, base, attrs)
    return type(group.name, (base,), attrs)
