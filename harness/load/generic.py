"""Locust users for the traffic classes a scenario declares (docs/scenarios.md, generic
traffic): a SIP call, an HTTP request, a TCP line exchange, each as the class describes it.

Imported only inside the Locust subprocess. Every user is paced like the built-ins (paced.py),
bounds each request by the class's timeout (its latency budget) and judges the answer with
expect.py; users of a regional class carry their region (X-Caller-Region for SIP and HTTP,
`{region}` in the URI, path or line).
"""

from __future__ import annotations

import time
from typing import Any

import gevent
from gevent import socket as gsocket
from locust import FastHttpUser, User, task

from harness.load.expect import http_failure, sip_failure, tcp_failure, with_region
from harness.load.line import LineClient
from harness.load.paced import Paced, transport_error
from harness.load.sip import SipCaller
from harness.load.transport import OperationFailed, describe, tcp_connector
from harness.model.traffic import REGION_HEADER, HttpExchange, SipExchange, TcpExchange


class _Declared(Paced):
    def _limits(self) -> None:
        traffic = self.group.traffic_class
        self.timeout = self.load.options.timeout_of(traffic)
        self.hold = self.load.options.hold_of(traffic)


class GenericSipUser(_Declared, User):
    """INVITE the class's URI, ACK, hold, BYE; a success is an expected final status."""

    abstract = True

    def on_start(self) -> None:
        self._begin()
        self._limits()
        exchange = self.group.traffic_class.exchange
        assert isinstance(exchange, SipExchange)
        self.exchange = exchange
        connect = tcp_connector(self.group.host, self.group.port, gsocket.create_connection)
        self.caller = SipCaller(
            connect, self.group.host, self.group.port, user=f"caller-{self.unit_name}"
        )

    def on_stop(self) -> None:
        self.caller.close()

    @task
    def call(self) -> None:
        self._check_end()
        region = self.group.region
        uri = with_region(self.exchange.uri, region)
        result = self.caller.call("", region, self.timeout, self.hold, uri=uri)
        failure = sip_failure(self.exchange, result.status, result.error)
        self._fire(
            "SIP",
            f"INVITE {uri} {region or ''}".strip(),
            result.start,
            result.latency,
            failure=failure,
            # a note on a success: answered, then the BYE failed
            error=result.error if failure is None and result.ok else None,
            call_id=result.call_id,
            answered_by=result.answered_by,
        )


class GenericHttpUser(_Declared, FastHttpUser):
    """One request as the class describes it; a success is an expected status (and field)."""

    abstract = True
    max_retries = 0
    concurrency = 1

    def on_start(self) -> None:
        self._begin()
        self._limits()
        exchange = self.group.traffic_class.exchange
        assert isinstance(exchange, HttpExchange)
        self.exchange = exchange

    @task
    def request(self) -> None:
        self._check_end()
        exchange, region = self.exchange, self.group.region
        path = with_region(exchange.path, region)
        headers = {REGION_HEADER: region} if region else {}
        extra: dict[str, Any] = {}
        if exchange.body is not None:
            headers["Content-Type"] = "application/json"
            extra["data"] = exchange.body
        name = f"{exchange.method} {path} {region or ''}".strip()
        with (
            gevent.Timeout(self.timeout),
            self.client.request(
                exchange.method, path, name=name, headers=headers, catch_response=True, **extra
            ) as resp,
        ):
            if resp.status_code == 0:  # no answer: the transport failed
                resp.failure(transport_error(getattr(resp, "error", None)))
            elif failure := http_failure(exchange, resp.status_code, resp.text or ""):
                resp.failure(failure)
            else:
                resp.success()  # an expected 4xx or 5xx too


class GenericTcpUser(_Declared, User):
    """Send the class's line, read one line back; a success is exactly the expected line."""

    abstract = True

    def on_start(self) -> None:
        self._begin()
        self._limits()
        exchange = self.group.traffic_class.exchange
        assert isinstance(exchange, TcpExchange)
        self.exchange = exchange
        connect = tcp_connector(self.group.host, self.group.port, gsocket.create_connection)
        self.line = LineClient(connect)

    def on_stop(self) -> None:
        self.line.close()

    @task
    def exchange_line(self) -> None:
        self._check_end()
        region = self.group.region
        send = with_region(self.exchange.send, region)
        started, began = time.time(), time.perf_counter()
        try:
            failure = tcp_failure(self.exchange, self.line.exchange(send, self.timeout), region)
        except (OperationFailed, OSError) as exc:
            failure = describe(exc)
        name = f"{send[:40]} {region or ''}".strip()
        self._fire("TCP", name, started, time.perf_counter() - began, failure=failure)
