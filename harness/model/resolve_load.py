"""The scenario's `load:` resolved: built-in classes by name, declared classes (generic traffic
and a team's own Locust users) checked against the topology and built into `TrafficClass`es
the rest of the harness treats like the built-ins.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from harness.model.arrivals import Arrivals, Redial
from harness.model.arrivals_file import BuiltinLoadFile
from harness.model.runtime import TrafficLoad
from harness.model.scenario_file import (
    HttpTrafficFile,
    SipTrafficFile,
    TcpTrafficFile,
    TrafficFile,
)
from harness.model.topology import Topology
from harness.model.traffic import (
    TRAFFIC_CLASSES,
    CustomUser,
    Exchange,
    HttpExchange,
    SipExchange,
    TcpExchange,
    TrafficClass,
    unknown_traffic,
)

Path_ = tuple[str | int, ...]
Fail = Callable[[Path_, str], None]
Entry = tuple[str, str | None]  # (link, region)

GENERIC_USERS = {
    "sip": "harness.load.generic:GenericSipUser",
    "http": "harness.load.generic:GenericHttpUser",
    "tcp": "harness.load.generic:GenericTcpUser",
}


def _near(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def declared_entries(
    topology: Topology, client: str, regions: Sequence[str] | None
) -> tuple[list[Entry], list[tuple[Path_, str]]]:
    """Where a declared class's users enter: its client's only link (each region's users
    labelled with their region), or with several links the one into each region. Also the
    problems found, each at its key under the class (`client`, `regions.<i>`)."""
    links = topology.clients.get(client)
    if not links:
        known = ", ".join(topology.clients) or "none"
        message = f"unknown client '{client}' (known: {known})"
        return [], [(("client",), message + _near(client, topology.clients))]
    if regions is None:
        if len(links) > 1:
            return [], [
                (
                    ("client",),
                    f"client '{client}' enters through {len(links)} links "
                    f"({', '.join(links)}): give regions to say which users enter where",
                )
            ]
        return [(links[0], None)], []
    pairs: list[Entry] = []
    problems: list[tuple[Path_, str]] = []
    for i, region in enumerate(regions):
        where: Path_ = ("regions", i)
        if region not in topology.regions:
            problems.append((where, f"unknown region '{region}'" + _near(region, topology.regions)))
        elif region in regions[:i]:
            problems.append((where, f"region '{region}' is given twice"))
        elif len(links) == 1:
            pairs.append((links[0], region))
        else:
            into = [
                n for n in links if topology.services[topology.links[n].target].region == region
            ]
            if len(into) == 1:
                pairs.append((into[0], region))
            else:
                message = f"client '{client}' has no single link into region '{region}'"
                problems.append((where, message))
    return pairs, problems


def _exchange(t: TrafficFile, search: tuple[str, ...]) -> tuple[str, Exchange]:
    if isinstance(t.sip, SipTrafficFile):
        return "sip", SipExchange(t.sip.uri, tuple(t.sip.expect), t.sip.hold)
    if isinstance(t.http, HttpTrafficFile):
        h = t.http
        expect = (h.expect,) if isinstance(h.expect, int) else tuple(h.expect)
        check = h.json_check
        return "http", HttpExchange(
            h.method,
            h.path,
            None if h.body is None else json.dumps(h.body),
            expect,
            check.field if check else None,
            json.dumps(check.equals) if check else None,
        )
    if isinstance(t.tcp, TcpTrafficFile):
        return "tcp", TcpExchange(t.tcp.send, t.tcp.expect)
    return "user", CustomUser(search)


def _success(protocol: str, exchange: Exchange, user: str) -> str:
    """What counts as a success, in words (reports and docs show it)."""
    if isinstance(exchange, SipExchange):
        codes = " or ".join(map(str, exchange.expect))
        return f"a final answer {codes} to INVITE {exchange.uri}"
    if isinstance(exchange, HttpExchange):
        codes = " or ".join(map(str, exchange.expect))
        check = (
            f" with {exchange.json_field} = {exchange.json_equals}" if exchange.json_field else ""
        )
        return f"HTTP {codes} for {exchange.method} {exchange.path}{check}"
    if isinstance(exchange, TcpExchange):
        return f"the line {exchange.expect!r} in reply to {exchange.send!r}"
    return f"a request {user} reports without an exception"


def declared_class(name: str, t: TrafficFile, search: tuple[str, ...]) -> TrafficClass:
    protocol, exchange = _exchange(t, search)
    user = t.user if t.user is not None else GENERIC_USERS[protocol]
    regions = tuple(t.regions) if t.regions is not None else None
    return TrafficClass(
        name,
        t.client,
        protocol,
        user,
        _success(protocol, exchange, user),
        regional=regions is not None,
        exchange=exchange,
        regions=regions,
        timeout=t.timeout,
    )


def resolve_load(
    load: Mapping[str, float | BuiltinLoadFile | TrafficFile],
    topology: Topology,
    base: Path,
    fail: Fail,
    check_users: Callable[[Sequence[str], Sequence[str]], dict[str, str]],
) -> tuple[TrafficLoad, ...]:
    """Every entry of `load:`, built-in or declared; problems go to `fail` at their key.
    A team's user modules are found in the scenario's folder, then the current one."""
    search = tuple(dict.fromkeys(str(p.resolve()) for p in (base, Path.cwd())))
    out: list[TrafficLoad] = []
    users: dict[str, str] = {}  # module:Class -> the first class that names it
    for name, entry in load.items():
        if isinstance(entry, BuiltinLoadFile):
            if name not in TRAFFIC_CLASSES:
                fail(("load", name), unknown_traffic(name))
                continue
            out.append(TrafficLoad(name, entry.rate, arrivals=_arrivals(name, entry, fail)))
            continue
        if not isinstance(entry, TrafficFile):
            if name not in TRAFFIC_CLASSES:
                fail(("load", name), unknown_traffic(name))
            out.append(TrafficLoad(name, entry))
            continue
        if name in TRAFFIC_CLASSES:
            fail(
                ("load", name), f"'{name}' is a built-in traffic class: give your own another name"
            )
            continue
        _, problems = declared_entries(topology, entry.client, entry.regions)
        for where, message in problems:
            fail(("load", name, *where), message)
        if entry.user is not None:
            users.setdefault(entry.user, name)
        out.append(TrafficLoad(name, entry.rate, declared_class(name, entry, search)))
    for path, message in check_users(list(users), search).items():
        fail(("load", users[path], "user"), message)
    return tuple(out)


def _arrivals(name: str, entry: BuiltinLoadFile, fail: Fail) -> Arrivals:
    """A built-in class's arrivals; only callers redial, and only a non-112 caller spills."""
    caller = TRAFFIC_CLASSES[name].protocol == "sip"
    if entry.redial is not None and not caller:
        fail(("load", name, "redial"), f"only callers redial, and {name} makes no calls")
    spill = entry.spill_to_112 or 0.0
    if spill and (not caller or TRAFFIC_CLASSES[name].number == "112"):
        fail(
            ("load", name, "spill_to_112"),
            f"{name} cannot spill over to 112: it is no caller of another number",
        )
    redial = Redial(entry.redial.after, entry.redial.attempts) if entry.redial else None
    return Arrivals(entry.arrivals, redial, spill)
