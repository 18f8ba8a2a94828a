"""What a metric needs to read beyond the journal, and whether a topology offers it.

`incidents_reconciled` asks an incident system how often it holds each answered call;
`via_ratio` reads which way each dispatch went from the answers of the dispatch targets. The
mocks offer these by kind; a team's own program only when its topology entry says `offers:`.
A scenario that asks for evidence nobody offers is refused when it is loaded, at the
assertion's line, never scored as a silent 100 % or a crash after the run.
"""

from __future__ import annotations

from harness.model.kinds import EVIDENCE
from harness.model.topology import Topology

# metric -> (evidence, who must offer it: "some" service, or "every" target of the traffic)
NEEDS: dict[str, tuple[str, str]] = {
    "incidents_reconciled": ("incidents", "some"),
    "via_ratio": ("dispatch-via", "every"),
}


def missing_evidence(metric: str, topology: Topology, client: str | None) -> str | None:
    """Why `metric` cannot be measured on `topology` (traffic entering through `client`), or
    None when it can."""
    if metric not in NEEDS:
        return None
    evidence, who = NEEDS[metric]
    contract = f"'{evidence}' ({EVIDENCE[evidence]})"
    if who == "some":
        if any(evidence in s.evidence for s in topology.services.values()):
            return None
        return (
            f"{metric} needs a service that offers {contract}; none in topology "
            f"{topology.name} does: add `offers: [{evidence}]` to the program that answers it"
        )
    links = topology.clients.get(client or "", ())
    targets = sorted({topology.links[name].target for name in links})
    lacking = [t for t in targets if evidence not in topology.services[t].evidence]
    if not lacking:
        return None
    return (
        f"{metric} needs every service its traffic reaches to offer {contract}; "
        f"{', '.join(lacking)} does not: add `offers: [{evidence}]` to it"
    )
