"""The latency Kamailio adds to a 112 call: a plain measurement, not a test.

    python -m tests.integration.kamailio.latency [CALLS]

Median INVITE -> 200 OK of CALLS sequential calls (after a few to warm up) on one caller
connection, for: the meldkamer direct; its link proxy (Toxiproxy) alone; Kamailio in front of
the link proxy; and, for comparison, the mock telephony it replaces, in front of its proxy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

from harness.load.sip import SipCaller
from harness.load.transport import tcp_connector
from harness.model.stack import Endpoint
from harness.toxiproxy.binary import locate
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer
from tests.integration.kamailio.router import callees, link, router
from tests.integration.load.mock_world import telephony_world
from tests.prerequisites import need_kamailio

WARM_UP = 5


def median_ms(entry: Endpoint, calls: int) -> float:
    caller = SipCaller(tcp_connector(entry.host, entry.port), entry.host, entry.port)
    try:
        for _ in range(WARM_UP):
            caller.call("112", "rotterdam")
        results = [caller.call("112", "rotterdam") for _ in range(calls)]
    finally:
        caller.close()
    failed = [r for r in results if not r.ok]
    assert not failed, failed[:3]
    return statistics.median(r.latency for r in results) * 1000


def main(calls: int) -> None:
    binary = locate()
    assert binary is not None, "run `make toxiproxy`"
    kamailio = need_kamailio()
    with (
        tempfile.TemporaryDirectory() as work,
        ToxiproxyServer(binary=binary) as server,
    ):
        toxiproxy = ToxiproxyClient(server.api)
        with callees(toxiproxy, Path(work) / "callees") as found:
            target = "meldkamer-rotterdam"
            paths = {
                "direct": Endpoint.parse(found.endpoints[target]["sip"]),
                "link proxy": Endpoint.parse(found.proxies[link(target)]),
            }
            with router(kamailio, found, Path(work) / "kamailio") as started:
                paths["kamailio + link proxy"] = started.entry
                measured = {name: median_ms(entry, calls) for name, entry in paths.items()}
        with telephony_world(toxiproxy, Path(work) / "telephony") as mock:
            measured["mock telephony + link proxy"] = median_ms(mock.entry, calls)
        toxiproxy.close()
    base = measured["link proxy"]
    for name, value in measured.items():
        print(f"{name:28s} median {value:6.2f} ms   vs link proxy {value - base:+6.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
