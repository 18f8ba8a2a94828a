"""The wrapped toxiproxy-python client against the real Toxiproxy 2.12.0 server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from harness.errors import ToxiproxyError
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.foundation.stalling_relay import StallingRelay

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


STUCK = 5.0  # seconds a stuck call waits for its answer before it times out


class _Call(threading.Thread):
    """One client call in its own thread, keeping what it raised."""

    def __init__(self, call: Callable[[], object]) -> None:
        super().__init__(name="stuck-call")
        self.call = call
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.call()
        except BaseException as exc:  # kept for the test to look at
            self.error = exc


def test_a_call_stuck_on_one_server_does_not_hold_up_a_call_to_another(
    toxiproxy: ToxiproxyClient,
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        silent.settimeout(5)
        stuck_client = ToxiproxyClient(f"127.0.0.1:{silent.getsockname()[1]}", STUCK, retries=0)
        stuck = _Call(stuck_client.proxies)
        stuck.start()
        conn, _ = silent.accept()  # the stuck call is under way
        with conn:
            started = time.monotonic()
            assert toxiproxy.version() == "2.12.0"
            assert time.monotonic() - started < STUCK / 2
            assert stuck.is_alive(), "the real server answered only after the stuck call gave up"
        stuck.join(5)  # closing its connection ends the stuck call at once
    stuck_client.close()
    assert isinstance(stuck.error, ToxiproxyError)


def test_calls_on_one_client_do_not_wait_for_each_other(toxiproxy: ToxiproxyClient) -> None:
    with StallingRelay(toxiproxy.api) as relay:
        client = ToxiproxyClient(relay.address, STUCK, retries=0)
        stuck = _Call(client.proxies)
        stuck.start()
        assert relay.stalled.wait(5)
        started = time.monotonic()
        client.create_proxy("a->b", "127.0.0.1:0", "127.0.0.1:9")
        client.add_toxic("a->b", "dc.slow", "latency", attributes={"latency": 10})
        assert time.monotonic() - started < STUCK / 2
        assert stuck.is_alive(), "the calls got through only after the stuck call gave up"
        relay.release()
        stuck.join(5)
        client.close()
    assert isinstance(stuck.error, ToxiproxyError)
    proxy = toxiproxy.proxy("a->b")
    assert proxy is not None and proxy.toxic("dc.slow") is not None


def test_many_threads_changing_toxics_on_their_own_proxies_all_succeed(
    toxiproxy: ToxiproxyClient,
) -> None:
    threads, rounds = 12, 10  # more threads than the reconciler's 8 workers
    links = [f"callers-{i}->telephony" for i in range(threads)]
    toxiproxy.populate(
        [{"name": n, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"} for n in links]
    )

    def churn(i: int) -> None:
        link = links[i]
        for n in range(rounds):
            toxiproxy.add_toxic(link, f"dc.round-{n}", "latency", attributes={"latency": n})
            toxiproxy.set_enabled(link, n % 2 == 0)
            assert link in toxiproxy.proxies()
            toxiproxy.remove_toxic(link, f"dc.round-{n}")
        toxiproxy.add_toxic(link, "dc.kept", "latency", attributes={"latency": 1})
        toxiproxy.update_toxic(link, "dc.kept", 0.5, {"latency": 100 + i})
        toxiproxy.set_enabled(link, i % 2 == 0)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for done in [pool.submit(churn, i) for i in range(threads)]:
            done.result()  # re-raises whatever a thread met
    state = toxiproxy.proxies()
    for i, link in enumerate(links):
        assert state[link].enabled == (i % 2 == 0)
        assert [t.name for t in state[link].toxics] == ["dc.kept"]
        kept = state[link].toxic("dc.kept")
        assert kept is not None and kept.toxicity == 0.5
        assert kept.attributes["latency"] == 100 + i


def test_a_request_that_reached_the_server_is_never_sent_twice() -> None:
    with socket.create_server(("127.0.0.1", 0)) as rude:  # reads the request, hangs up
        rude.settimeout(0.5)
        client = ToxiproxyClient(f"127.0.0.1:{rude.getsockname()[1]}", 2.0, retries=2)
        call = _Call(lambda: client.add_toxic("a->b", "dc.slow", "latency"))
        call.start()
        received = 0
        while True:
            try:
                conn, _ = rude.accept()
            except TimeoutError:
                break  # no further attempt came within half a second
            with conn:
                conn.recv(65536)
                received += 1
        call.join(5)
        client.close()
    assert received == 1
    assert isinstance(call.error, ToxiproxyError)
    assert "unreachable" in str(call.error)
