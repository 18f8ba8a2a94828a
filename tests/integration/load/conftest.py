"""A small real world for load tests: our test servers behind real Toxiproxy proxies, one
proxy per client link of the default topology, described as a StackInfo."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from harness.model.stack import ProxyInfo, StackInfo
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.load.servers import HttpServer, LineServer, SipUas
from tests.unit.load import world


@dataclass
class LoadWorld:
    toxiproxy: ToxiproxyClient
    stack: StackInfo
    telephony: SipUas
    c2000: LineServer
    http: HttpServer  # office and every meldkamer's HTTP API


@pytest.fixture
def load_world(toxiproxy: ToxiproxyClient) -> Iterator[LoadWorld]:
    with SipUas() as telephony, LineServer() as c2000, HttpServer() as http:
        upstream = {"telephony": telephony, "c2000": c2000}
        proxies: dict[str, ProxyInfo] = {}
        for links in world.topology().clients.values():
            for link in links:
                target = world.topology().links[link].target
                server = upstream.get(target, http)
                state = toxiproxy.create_proxy(link, "127.0.0.1:0", server.address)
                proxies[link] = ProxyInfo(link, state.listen, state.upstream)
        stack = StackInfo("local", world.topology().file, toxiproxy.api, {}, proxies)
        yield LoadWorld(toxiproxy, stack, telephony, c2000, http)
