"""A team's own Locust users, as a team would write them (docs/scenarios.md, your own Locust
user): the harness imports this module from the scenario's folder or the current one, paces
the class and journals what it reports. Used by tests/integration/load/test_generic_traffic.py.
"""

from __future__ import annotations

import time

from gevent import socket
from locust import FastHttpUser, User, between, task


class PingUser(User):
    """Sends `PING` over its own TCP connection to `host` (host:port) and expects `PONG`;
    reports each exchange through Locust's request event with the harness's context."""

    wait_time = between(5, 10)  # replaced by the harness's pacing

    def on_start(self) -> None:
        host, _, port = self.host.rpartition(":")
        self.conn = socket.create_connection((host, int(port)), timeout=1.0)
        self.reader = self.conn.makefile("rb")

    def on_stop(self) -> None:
        self.reader.close()
        self.conn.close()

    @task
    def ping(self) -> None:
        started, began = time.time(), time.perf_counter()
        self.conn.sendall(b"PING\n")
        reply = self.reader.readline().decode().strip()
        self.environment.events.request.fire(
            request_type="TEAM",
            name="ping",
            response_time=(time.perf_counter() - began) * 1000.0,
            response_length=len(reply),
            exception=None if reply == "PONG" else ValueError(f"got {reply!r}"),
            context={**self.context(), "via": "team"},
            start_time=started,
        )


class PageUser(FastHttpUser):
    """Opens `/status` on `host` (http://host:port); Locust's client reports it."""

    @task
    def status(self) -> None:
        self.client.get("/status")


class NotAUser:
    """Anything but a Locust user."""
