"""Workers in containers reach the stack at its in-network proxy addresses, and their image
holds everything a Locust worker imports."""

from __future__ import annotations

from harness.backends.compose_workers import network_view
from harness.backends.worker_image import closure, worker_context
from harness.model.stack import ProxyInfo, StackInfo


def test_client_links_are_reached_at_the_toxiproxy_containers_listen_port() -> None:
    proxies = {
        "callers->telephony": ProxyInfo(
            "callers->telephony", "[::]:20001", "telephony:5060", reach="127.0.0.1:41234"
        ),
        "telephony->gms": ProxyInfo("telephony->gms", "[::]:20002", "gms:8080"),
    }
    stack = StackInfo("compose", "<t>", "127.0.0.1:8474", {}, proxies, project="p")
    inside = network_view(stack, "172.20.0.2")
    assert inside.entry("callers->telephony").host == "172.20.0.2"
    assert inside.entry("callers->telephony").port == 20001
    assert inside.proxies["telephony->gms"] == proxies["telephony->gms"]  # no client link
    assert stack.entry("callers->telephony").port == 41234  # the host's view is unchanged


def test_the_worker_image_has_locust_its_compiled_parts_and_the_harness_load() -> None:
    names = {name.lower() for name in closure()}
    assert {"locust", "gevent", "greenlet", "pyzmq", "msgpack", "pydantic", "aiosipua"} <= names
    files = worker_context()
    assert "harness/journal.py" in files and "harness/load/locustfile.py" in files
    assert not any(name.startswith("harness/explore/") for name in files)
    assert any(name.startswith("vendor/zmq/") and name.endswith(".so") for name in files)
