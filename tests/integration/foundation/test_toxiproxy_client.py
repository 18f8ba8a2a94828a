"""The wrapped toxiproxy-python client against the real Toxiproxy 2.12.0 server."""

from __future__ import annotations

import socket
import time

import pytest

from harness.errors import ToxiproxyError
from harness.toxiproxy.client import ToxiproxyClient

pytestmark = pytest.mark.integration


def test_it_talks_to_the_real_server_version_2_12_0(toxiproxy: ToxiproxyClient) -> None:
    assert toxiproxy.version() == "2.12.0"


def test_link_names_with_arrows_work_in_every_call(toxiproxy: ToxiproxyClient) -> None:
    toxiproxy.create_proxy("telephony->meldkamer-rotterdam", "127.0.0.1:0", "127.0.0.1:9")
    toxiproxy.add_toxic(
        "telephony->meldkamer-rotterdam", "dc.slow", "latency", attributes={"latency": 100}
    )
    toxiproxy.update_toxic("telephony->meldkamer-rotterdam", "dc.slow", 0.5, {"latency": 250})
    toxiproxy.set_enabled("telephony->meldkamer-rotterdam", False)
    state = toxiproxy.proxies()["telephony->meldkamer-rotterdam"]
    assert not state.enabled
    toxic = state.toxic("dc.slow")
    assert toxic is not None
    assert toxic.attributes["latency"] == 250 and toxic.toxicity == 0.5
    toxiproxy.remove_toxic("telephony->meldkamer-rotterdam", "dc.slow")
    toxiproxy.delete_proxy("telephony->meldkamer-rotterdam")
    assert toxiproxy.proxies() == {}


def test_a_disabled_proxy_refuses_connections(toxiproxy: ToxiproxyClient) -> None:
    with socket.create_server(("127.0.0.1", 0)) as upstream:
        port = upstream.getsockname()[1]
        proxy = toxiproxy.create_proxy("a->b", "127.0.0.1:0", f"127.0.0.1:{port}")
        host, _, listen = proxy.listen.rpartition(":")
        socket.create_connection((host, int(listen)), timeout=1).close()
        toxiproxy.set_enabled("a->b", False)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((host, int(listen)), timeout=1)


def test_errors_become_toxiproxy_errors_with_the_reason(toxiproxy: ToxiproxyClient) -> None:
    with pytest.raises(ToxiproxyError, match="proxy not found"):
        toxiproxy.add_toxic("nope", "dc.x", "latency")
    toxiproxy.create_proxy("a->b", "127.0.0.1:0", "127.0.0.1:9")
    with pytest.raises(ToxiproxyError, match="toxic not found"):
        toxiproxy.remove_toxic("a->b", "dc.missing")


def test_an_unreachable_server_fails_fast_with_a_toxiproxy_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ToxiproxyClient(f"127.0.0.1:{port}", timeout=0.5, retries=1)
    started = time.monotonic()
    with pytest.raises(ToxiproxyError, match="unreachable"):
        client.proxies()
    assert time.monotonic() - started < 2
    assert not client.reachable()
