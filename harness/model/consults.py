"""Which dependencies one request makes a service consult, and which of them it can live without.

This mirrors what the mocks really do (mock_services/), so a predicted blast radius matches the
world it is compared with:

- telephony routes a 112 call to the caller's meldkamer and, when that link's fallback is
  `backup-region`, on to the backup region's meldkamer (one backup, as routing.py); a 112
  platform built from copies tries them in turn while each falls back to `next-copy`; 0900 and
  088 go to the police contact centre; a meldkamer's own number straight to that meldkamer;
- a meldkamer or the police contact centre answers a call only after a police-ict lookup when
  it has that dependency and it is required (call_centre.py); GMS is told on the ACK, after
  the answer, so GMS never decides a call's success (buffer or not);
- a meldkamer dispatches by its region's console, or by its radio sets on C2000 when the
  console's fallback is `radio-sets` (or there is no console);
- the radio console needs C2000 and a required police-ict; office needs a required police-ict
  unless its fallback is `degrade`; GMS's police-ict lookup refuses only when required;
- anything else (a team's own program, a kind reached on a listener the table does not know):
  every required dependency without a fallback, the conservative reading of its policies.

A step is a tuple of alternatives: the request fails at that step only when every one fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from harness.model.topology import Link, Service, Topology


@dataclass(frozen=True)
class Ask:
    """What a request asks of the service it reaches: over which listener, for SIP which
    number class (112, 0900, 088, alternate; None: unknown), from which region."""

    listener: str
    number: str | None = None
    region: str | None = None


Step = tuple[Link, ...]  # alternatives, tried in order


def number_class(dialled: str | None) -> str | None:
    """The mocks' number classes (mock_services/core/numbers.py), for the dialled number."""
    if dialled is None:
        return None
    if dialled.startswith("meldkamer-"):
        return "alternate"
    return {"112": "112", "09008844": "0900", "0900-8844": "0900", "088": "088"}.get(dialled)


def _to_kind(topology: Topology, links: list[Link], kind: str) -> list[Link]:
    return [x for x in links if topology.services[x.target].kind == kind]


def _required(link: Link) -> bool:
    """A dependency whose failure the caller passes on: required and without a fallback."""
    return link.policy is None or (link.policy.required and link.policy.fallback is None)


def _fallback(link: Link | None) -> str | None:
    return link.policy.fallback if link is not None and link.policy is not None else None


def _in_region(topology: Topology, links: list[Link], region: str | None) -> Link | None:
    return next((x for x in links if topology.services[x.target].region == region), None)


def _telephony(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    deps = topology.dependencies(svc.name)
    if ask.number in ("0900", "088"):
        return [tuple(_to_kind(topology, deps, "police-contact-centre"))]
    meldkamers = _to_kind(topology, deps, "meldkamer")
    own = _in_region(topology, meldkamers, ask.region)
    if ask.number == "alternate":
        return [(own,)] if own is not None else []
    if ask.number != "112":
        return _generic(topology, svc, ask)
    copies: list[Link] = []
    for copy in _to_kind(topology, deps, "telephony"):
        copies.append(copy)
        if _fallback(copy) != "next-copy":
            break
    if copies:
        return [tuple(copies)]
    targets = [own] if own is not None else []
    backup_region = topology.regions[ask.region].backup if ask.region in topology.regions else None
    backup = _in_region(topology, meldkamers, backup_region) if backup_region else None
    if backup is not None and (own is None or _fallback(own) == "backup-region"):
        targets.append(backup)
    return [tuple(targets)]


def _ict(topology: Topology, svc: Service, degrade: bool = False) -> list[Step]:
    """The police-ict lookup, when it is required (and, with `degrade`, has no such fallback)."""
    links = _to_kind(topology, topology.dependencies(svc.name), "police-ict")
    return [
        (x,)
        for x in links
        if x.policy is None
        or (x.policy.required and not (degrade and x.policy.fallback == "degrade"))
    ]


def _answering(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    if ask.listener != "sip":
        return _generic(topology, svc, ask)
    return _ict(topology, svc)


def _meldkamer(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    if ask.listener == "sip":
        return _ict(topology, svc)
    deps = topology.dependencies(svc.name)
    console = _in_region(topology, _to_kind(topology, deps, "radio-console"), svc.region)
    ways = [console] if console is not None else []
    if console is None or _fallback(console) == "radio-sets":
        ways += _to_kind(topology, deps, "c2000")
    return [tuple(ways)] if ways else []


def _console(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    c2000 = _to_kind(topology, topology.dependencies(svc.name), "c2000")
    return [*_ict(topology, svc), *((x,) for x in c2000)]


def _office(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    return _ict(topology, svc, degrade=True)


def _gms(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    """GMS: a required police-ict lookup refuses the incident, whatever its fallback."""
    return _ict(topology, svc)


def _nothing(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    return []


def _generic(topology: Topology, svc: Service, ask: Ask) -> list[Step]:
    return [(x,) for x in topology.dependencies(svc.name) if _required(x)]


Rule = Callable[[Topology, Service, Ask], list[Step]]
RULES: dict[str, Rule] = {
    "telephony": _telephony,
    "meldkamer": _meldkamer,
    "police-contact-centre": _answering,
    "radio-console": _console,
    "office": _office,
    "gms": _gms,
    "c2000": _nothing,
    "police-ict": _nothing,
}


def consults(topology: Topology, service: str, ask: Ask) -> list[Step]:
    """The steps a request makes `service` take, in order; each must succeed."""
    svc = topology.services[service]
    rule = _generic if svc.own else RULES.get(svc.kind, _generic)
    return [step for step in rule(topology, svc, ask) if step]
