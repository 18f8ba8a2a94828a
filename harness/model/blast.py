"""The predicted blast radius: for every fault, which traffic (per region) it can hurt.

A fault breaks what it targets: its links (any toxic, `down` or a degradation that may pass a
timeout: "can hurt" is what the graph can say, the journal says how much) or its services (a
process or application fault; an application fault with a `scope` only for that number).
Damage then travels back along the path a request of each traffic class takes
(consults.py, which mirrors the mocks): a service fails a request when a step it must take
fails, and a step fails only when every alternative fails. So a required dependency passes
damage on, an optional one or one with a fallback (buffer, radio-sets, degrade) stops it
(the fallback may change how a request went - via radio sets, answered by the backup
region - which this does not judge), and alternate routing to the backup region stops a
regional meldkamer's failure unless the backup fails too: the fault hits every region's
path at once (telephony itself, police ICT that every meldkamer consults, all copies).

The prediction is made from the topology as designed (a scenario's `design:`, else its own
topology): a dependency the built system has and the design does not is exactly the hidden
coupling the comparison (assertions/blast_radius.py) must show as unexpected damage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from harness.model.consults import Ask, consults, number_class
from harness.model.runtime import AppAction, Fault, ToxicAction
from harness.model.topology import Link, Topology
from harness.model.traffic import SipExchange, TrafficClass

NATIONAL = ""  # the region key of a class whose users belong to no region
# fault -> traffic -> region (NATIONAL for a national class) -> why it can be hurt there.
# A fault or traffic left out can hurt nothing; the run-start journals this (`blast`).
Prediction = dict[str, dict[str, dict[str, str]]]


@dataclass(frozen=True)
class Hit:
    """What one fault breaks in the design: links, and services (with an app fault's scope)."""

    links: frozenset[str]
    services: Mapping[str, str | None]  # service -> the number class it breaks; None: all

    def breaks(self, service: str, ask: Ask) -> bool:
        if service not in self.services:
            return False
        scope = self.services[service]
        return scope is None or ask.number is None or scope == ask.number


def hit_by(fault: Fault, design: Topology) -> Hit:
    """A fault's targets that exist in the design (the rest can hurt nothing it knows of)."""
    if isinstance(fault.action, ToxicAction):
        return Hit(frozenset(x for x in fault.links if x in design.links), {})
    scope = None
    if isinstance(fault.action, AppAction):
        scope = next((str(v) for k, v in fault.action.spec if k == "scope"), None)
    return Hit(frozenset(), {s: scope for s in fault.services if s in design.services})


def _through(design: Topology, hit: Hit, link: Link, ask: Ask) -> str | None:
    """Why a request over `link` fails under `hit`, or None when it succeeds."""
    if link.name in hit.links:
        return f"{link.name} faulted"
    return _at(design, hit, link.target, Ask(link.port, ask.number, ask.region))


def _at(design: Topology, hit: Hit, service: str, ask: Ask) -> str | None:
    if hit.breaks(service, ask):
        return f"{service} faulted"
    for step in consults(design, service, ask):
        reasons = [_through(design, hit, link, ask) for link in step]
        if all(reasons):
            also = " (and its fallback)" if len(step) > 1 else ""
            return f"{service} needs {step[0].target}{also}: {reasons[0]}"
    return None


def dialled(traffic: TrafficClass) -> str | None:
    """The number a SIP class dials: the built-in's, or a declared class's URI user part."""
    if traffic.number is not None:
        return traffic.number
    if isinstance(traffic.exchange, SipExchange):
        return traffic.exchange.uri.removeprefix("sip:").split("@")[0]
    return None


def entry_links(design: Topology, traffic: TrafficClass, region: str) -> list[Link]:
    """The client links a class's users of `region` enter through (its only one, or the one
    into their region)."""
    links = [design.links[n] for n in design.clients.get(traffic.client, ())]
    if len(links) <= 1 or region == NATIONAL:
        return links
    return [x for x in links if design.services[x.target].region == region]


def harm(design: Topology, hit: Hit, traffic: TrafficClass, region: str) -> str | None:
    """Why the fault can hurt this class's users in `region`, or None when it must not."""
    number = dialled(traffic)
    if number is not None and "{region}" in number:
        number = number.replace("{region}", region)
    for link in entry_links(design, traffic, region):
        ask = Ask(link.port, number_class(number), region or None)
        why = _through(design, hit, link, ask)
        if why is not None:
            return why
    return None


def predict(
    design: Topology,
    faults: Iterable[Fault],
    traffic: Mapping[str, TrafficClass],
    regions: Mapping[str, Sequence[str]],
) -> Prediction:
    """Every fault's blast radius over the loaded classes (`traffic`), each judged in the
    regions its users are in (`regions`; a class with none there is national, unless it is
    regional: then every region of the design)."""
    out: Prediction = {}
    for fault in faults:
        hit = hit_by(fault, design)
        hurt: dict[str, dict[str, str]] = {}
        for name, cls in traffic.items():
            places = list(regions.get(name, ())) or (
                list(design.regions) if cls.regional else [NATIONAL]
            )
            found = {r: why for r in places if (why := harm(design, hit, cls, r)) is not None}
            if found:
                hurt[name] = found
        out[fault.name] = hurt
    return out
