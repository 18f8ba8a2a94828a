"""The real mock telephony with its meldkamers behind Toxiproxy, for load tests and the bench.

    callers -> telephony -> Toxiproxy (telephony->meldkamer-<region>) -> meldkamer-<region>

Services start from `harness.backends.wiring.service_config` (telephony) or a minimal hand
config (meldkamers: no dependencies, so their answering is what is measured) as children via
harness.procs, and end with the context.
"""

from __future__ import annotations

import json
import select
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import procs
from harness.backends.wiring import service_config
from harness.model.stack import Endpoint
from harness.toxiproxy.client import ToxiproxyClient
from tests.unit.load import world

LISTEN = {"host": "127.0.0.1", "port": 0}


@dataclass
class TelephonyWorld:
    entry: Endpoint  # telephony's SIP listener: where callers enter
    endpoints: dict[str, dict[str, str]] = field(default_factory=dict)  # service -> endpoints


def start_service(
    stack: ExitStack, module: str, config: dict[str, Any], work: Path, timeout: float = 15.0
) -> dict[str, str]:
    """Start `python -m module --config FILE`, return the endpoints of its READY line."""
    path = work / f"{config['name']}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    log = stack.enter_context((work / f"{config['name']}.log").open("ab"))
    proc = procs.spawn(
        [sys.executable, "-m", module, "--config", str(path)], stdout=subprocess.PIPE, stderr=log
    )
    stack.callback(procs.stop, proc)
    assert proc.stdout is not None
    stack.callback(proc.stdout.close)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            line = proc.stdout.readline().decode()
            if line.startswith("READY "):
                return dict(json.loads(line[len("READY ") :])["endpoints"])
            if not line:
                break
    raise RuntimeError(f"{config['name']} did not start; see {work}/{config['name']}.log")


@contextmanager
def telephony_world(
    toxiproxy: ToxiproxyClient, work: Path, regions: Sequence[str] = ("rotterdam",)
) -> Iterator[TelephonyWorld]:
    """Telephony and the meldkamers of `regions`; its other dependencies point at a closed
    port (a region not started is a meldkamer that does not answer)."""
    topology = world.topology()
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        result = TelephonyWorld(Endpoint("127.0.0.1", 0))
        for region in regions:
            name = f"meldkamer-{region}"
            config = {"name": name, "kind": "meldkamer", "region": region,
                      "listen": {"sip": LISTEN, "http": LISTEN}}  # fmt: skip
            result.endpoints[name] = start_service(stack, "mock_services.meldkamer", config, work)
        nowhere = f"127.0.0.1:{procs.free_port()}"
        proxies: dict[str, tuple[str, int]] = {}
        for link in topology.dependencies("telephony"):
            upstream = result.endpoints.get(link.target, {}).get("sip", nowhere)
            state = toxiproxy.create_proxy(link.name, "127.0.0.1:0", upstream)
            listen = Endpoint.parse(state.listen)
            proxies[link.name] = (listen.host, listen.port)
        config = service_config(
            topology, "telephony", {"sip": LISTEN, "http": LISTEN}, proxies, str(work)
        )
        result.endpoints["telephony"] = start_service(
            stack, "mock_services.telephony", config, work
        )
        result.entry = Endpoint.parse(result.endpoints["telephony"]["sip"])
        yield result
