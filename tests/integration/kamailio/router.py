"""Kamailio as the 112 router, standalone: the mock callees behind one real Toxiproxy proxy per
link, and Kamailio started from scenarios/kamailio/112-router.cfg as the harness would (the
templates rendered into its run folder, `kamailio -DD -E -f kamailio.cfg` in it).

    callers -> kamailio -> Toxiproxy (sip-router-><callee>) -> meldkamer-<region> | contact centre
                       \\-> Toxiproxy (sip-router->police-ict) -> police-ict   (-A COUPLED only)

Test-only and small; the local backend does this for real.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness import procs
from harness.load.sip import SipCaller
from harness.load.transport import tcp_connector
from harness.model.stack import Endpoint
from harness.model.topology import load_topology
from harness.paths import project_root
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.load.mock_world import start_service

CONFIG = project_root() / "scenarios" / "kamailio" / "112-router.cfg"
# The regions and backup pairs the config must mirror, read from the topology it serves.
_TOPOLOGY = load_topology(
    project_root() / "scenarios" / "topologies" / "meldkamer-nl-kamailio.yaml"
)
REGIONS = tuple(_TOPOLOGY.regions)
BACKUP = {r.name: r.backup for r in _TOPOLOGY.regions.values() if r.backup is not None}
ROUTER = "sip-router"
HOST = "127.0.0.1"
# The harness's template syntax (only these are replaced; Kamailio's own braces are safe).
TEMPLATE = re.compile(r"\{(link|listen):([^{}]+)\}")
LISTEN = {"host": HOST, "port": 0}


def link(target: str) -> str:
    return f"{ROUTER}->{target}"


def render(template: str, links: Mapping[str, str], listen: Mapping[str, str]) -> str:
    """The config with every `{link:a->b}` and `{listen:name}` replaced by its host:port; an
    unknown one is an error, as it must be for the harness."""

    def one(match: re.Match[str]) -> str:
        table = links if match.group(1) == "link" else listen
        return table[match.group(2)]

    return TEMPLATE.sub(one, template)


@dataclass
class Callees:
    """The mock services behind the router: who answers, and the proxy of each link."""

    endpoints: dict[str, dict[str, str]]  # service -> listener -> host:port (direct)
    proxies: dict[str, str]  # link -> its proxy's host:port


def _config(name: str, kind: str, *listeners: str, region: str | None = None) -> dict[str, Any]:
    """A mock's config with no dependencies: it just answers (core/config.py's shape)."""
    return {
        "name": name,
        "kind": kind,
        "region": region,
        "listen": dict.fromkeys(listeners, LISTEN),
    }


def _callee_configs() -> list[tuple[str, dict[str, Any]]]:
    meldkamers = [
        ("mock_services.meldkamer", _config(f"meldkamer-{r}", "meldkamer", "sip", "http", region=r))
        for r in REGIONS
    ]
    return [
        *meldkamers,
        (
            "mock_services.police_contact_centre",
            _config("police-contact-centre", "police-contact-centre", "sip", "http"),
        ),
        ("mock_services.police_ict", _config("police-ict", "police-ict", "http")),
    ]


@contextmanager
def callees(toxiproxy: ToxiproxyClient, work: Path) -> Iterator[Callees]:
    """The five meldkamers, the police contact centre and police ICT, each behind its link's
    proxy (SIP for the callees, HTTP for police ICT); all ended and deleted on exit."""
    work.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        found = Callees({}, {})
        for module, config in _callee_configs():
            name = str(config["name"])
            found.endpoints[name] = start_service(stack, module, config, work)
        for name, endpoints in found.endpoints.items():
            upstream = endpoints["sip"] if "sip" in endpoints else endpoints["http"]
            state = toxiproxy.create_proxy(link(name), f"{HOST}:0", upstream)
            stack.callback(toxiproxy.delete_proxy, link(name))
            found.proxies[link(name)] = state.listen
        yield found


@dataclass
class Router:
    """A running Kamailio: where callers reach it, its process and its log."""

    entry: Endpoint
    proc: subprocess.Popen[bytes]
    log: Path
    run_dir: Path
    callers: list[SipCaller] = field(default_factory=list)

    def caller(self, user: str = "caller") -> SipCaller:
        """A caller on its own TCP connection to the router, closed when the router stops."""
        host, port = self.entry.host, self.entry.port
        caller = SipCaller(tcp_connector(host, port), host, port, user=user)
        self.callers.append(caller)
        return caller

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def router(
    binary: str, found: Callees, run_dir: Path, *, coupled: bool = False, timeout: float = 15.0
) -> Iterator[Router]:
    """Kamailio from the rendered config in `run_dir` (its cwd), answering OPTIONS, until
    exit; then stopped by its process group, and checked to have left no process behind."""
    run_dir.mkdir(parents=True, exist_ok=True)
    entry = Endpoint(HOST, procs.free_port(HOST))
    # the SIP links only, as the uncoupled topology has them: police ICT's is never in the file
    sip_links = {name: at for name, at in found.proxies.items() if name != link("police-ict")}
    text = render(CONFIG.read_text(encoding="utf-8"), sip_links, {"sip": str(entry)})
    (run_dir / "kamailio.cfg").write_text(text, encoding="utf-8")
    argv = [binary, "-DD", "-E", "-m", "64", "-M", "16", "-f", "kamailio.cfg"]
    if coupled:  # as the coupled topology starts it: the police-ICT link on the command line
        argv += ["-A", "COUPLED", "-A", f'POLICE_ICT="{found.proxies[link("police-ict")]}"']
    log = run_dir / "kamailio.log"
    with log.open("ab") as sink:
        proc = procs.spawn(argv, cwd=run_dir, stdout=sink, stderr=sink)
    started = Router(entry, proc, log, run_dir)
    try:
        wait_until_answering(started, timeout)
        yield started
    finally:
        for caller in started.callers:
            caller.close()
        procs.stop(proc)
        assert_group_gone(proc.pid)


def wait_until_answering(started: Router, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if started.proc.poll() is not None:
            break
        try:
            if options(started.entry, timeout=0.5) == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"kamailio did not answer OPTIONS:\n{started.log_text()[-3000:]}")


def assert_group_gone(pgid: int, timeout: float = 5.0) -> None:
    """No process of Kamailio's group (its children: tcp workers, timers) is left."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"kamailio processes of group {pgid} outlived their stop")
        time.sleep(0.05)


def options(entry: Endpoint, timeout: float = 2.0) -> int:
    """The status of `OPTIONS sip:health@host:port` over TCP: the harness's health check."""
    with socket.create_connection((entry.host, entry.port), timeout=timeout) as sock:
        local_host, local_port = sock.getsockname()[:2]
        tag = uuid.uuid4().hex[:12]
        request = (
            f"OPTIONS sip:health@{entry} SIP/2.0\r\n"
            f"Via: SIP/2.0/TCP {local_host}:{local_port};branch=z9hG4bK{tag};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:health@dispatch-chaos>;tag={tag}\r\n"
            f"To: <sip:health@{entry}>\r\n"
            f"Call-ID: {tag}@dispatch-chaos\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendall(request.encode())
        data = b""
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                raise ConnectionError("closed before answering OPTIONS")
            data += chunk
    return int(data.split(b" ", 2)[1])


def control(
    found: Callees, service: str, method: str, path: str, body: object = None
) -> dict[str, Any]:
    """A request to a mock's own control port (direct, never through a link)."""
    host, _, port = found.endpoints[service]["http"].rpartition(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5.0)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data)
        reply = conn.getresponse()
        raw = reply.read()
    finally:
        conn.close()
    assert reply.status == 200, raw
    answer: dict[str, Any] = json.loads(raw)
    return answer


def counter(found: Callees, service: str, name: str) -> int:
    counters = control(found, service, "GET", "/_control/stats")["counters"]
    return int(counters.get(name, 0))
