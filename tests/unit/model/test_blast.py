"""The predicted blast radius on hand-made topologies: a required chain passes damage up to the
traffic that enters at its top, an optional lookup and a fallback stop it, a backup region
stops a regional meldkamer's failure but not telephony's, and the coupling regression's
police-ICT flapping can reach 112 only in the coupled topology, not in the design."""

from __future__ import annotations

from pathlib import Path

from harness.model.blast import predict
from harness.model.runtime import AppAction, Fault, ProcessAction, Steady, ToxicAction, Window
from harness.model.scenario import load_scenario
from harness.model.topology import Link, Policy, Region, Service, Topology, load_topology
from harness.model.traffic import TRAFFIC_CLASSES, TrafficClass

ROOT = Path(__file__).resolve().parents[3]
SCENARIOS = ROOT / "scenarios"
USERS = TrafficClass("users", "users", "http", "m:U", "200")
REGIONS = ("noord", "zuid")


def topology(links: list[Link], services: list[Service], **kw: object) -> Topology:
    clients = {
        c: tuple(x.name for x in links if x.client and x.source == c)
        for c in {x.source for x in links if x.client}
    }
    return Topology(
        "hand-made",
        "",
        "hand-made.yaml",
        kw.get("regions", {}),  # type: ignore[arg-type]
        {s.name: s for s in services},
        {x.name: x for x in links},
        clients,
    )


def dep(a: str, b: str, port: str = "http", **policy: object) -> Link:
    return Link(a, b, port, Policy(**policy))  # type: ignore[arg-type]


def down(*links: str, name: str = "f") -> Fault:
    return Fault(name, ToxicAction("down"), Window(0, 60), Steady(), links=links)


def killed(*services: str, name: str = "f") -> Fault:
    return Fault(name, ProcessAction("kill"), Window(0, 60), Steady(), services=services)


# users -> a, a -> b (required) -> c (required), a -> d (optional), a -> e (fallback: degrade)
CHAIN = topology(
    [
        Link("users", "a", "http", client=True),
        dep("a", "b"),
        dep("b", "c"),
        dep("a", "d", required=False),
        dep("a", "e", fallback="degrade"),
    ],
    [Service(n, "own-role") for n in "abcde"],
)


def hurts(
    top: Topology, fault: Fault, traffic: dict[str, TrafficClass] | None = None
) -> dict[str, dict[str, str]]:
    return predict(top, [fault], traffic or {"users": USERS}, {})[fault.name]


def test_damage_climbs_a_required_chain_to_the_traffic_entering_at_its_top() -> None:
    assert set(hurts(CHAIN, down("b->c"))["users"]) == {""}
    assert "b->c faulted" in hurts(CHAIN, down("b->c"))["users"][""]
    assert "users" in hurts(CHAIN, killed("c"))
    assert "users" in hurts(CHAIN, down("users->a"))  # the entry itself


def test_an_optional_lookup_and_a_fallback_stop_the_damage() -> None:
    assert hurts(CHAIN, down("a->d")) == {}
    assert hurts(CHAIN, killed("d")) == {}
    assert hurts(CHAIN, killed("e")) == {}


def test_a_target_the_design_does_not_have_hurts_nothing() -> None:
    assert hurts(CHAIN, down("a->police-ict")) == {}


# 112 callers through telephony to their region's meldkamer, noord backed up by zuid
BACKUP = topology(
    [
        Link("callers", "telephony", "sip", client=True),
        dep("telephony", "meldkamer-noord", "sip", fallback="backup-region"),
        dep("telephony", "meldkamer-zuid", "sip", fallback="backup-region"),
        dep("telephony", "police-contact-centre", "sip"),
    ],
    [
        Service("telephony", "telephony"),
        Service("meldkamer-noord", "meldkamer", "noord"),
        Service("meldkamer-zuid", "meldkamer", "zuid"),
        Service("police-contact-centre", "police-contact-centre"),
    ],
    regions={"noord": Region("noord", "zuid"), "zuid": Region("zuid", "noord")},
)
CALLERS = {k: TRAFFIC_CLASSES[k] for k in ("callers-112", "callers-alternate", "callers-0900")}


def test_a_backup_region_keeps_112_callers_of_a_fallen_meldkamer_answered() -> None:
    found = hurts(BACKUP, killed("meldkamer-noord"), CALLERS)
    assert "callers-112" not in found
    assert set(found["callers-alternate"]) == {"noord"}  # its own number has no backup


def test_telephony_or_every_copy_down_hurts_112_in_every_region() -> None:
    assert set(hurts(BACKUP, killed("telephony"), CALLERS)["callers-112"]) == set(REGIONS)
    both = hurts(BACKUP, killed("meldkamer-noord", "meldkamer-zuid"), CALLERS)
    assert set(both["callers-112"]) == set(REGIONS)


def test_an_app_fault_scoped_to_0900_spares_112() -> None:
    scoped = Fault(
        "f",
        AppAction((("mode", "sip"), ("scope", "0900"))),
        Window(0, 1),
        Steady(),
        (),
        ("telephony",),
    )
    assert set(hurts(BACKUP, scoped, CALLERS)) == {"callers-0900"}


def test_dispatch_falls_back_to_radio_sets_unless_c2000_itself_fails() -> None:
    nl = load_topology(SCENARIOS / "topologies" / "meldkamer-nl.yaml")
    dispatch = {"dispatchers": TRAFFIC_CLASSES["dispatchers"]}
    ict = [x for x in nl.links if x.endswith("->police-ict")]
    assert hurts(nl, down(*ict), dispatch) == {}
    assert set(hurts(nl, killed("c2000"), dispatch)["dispatchers"]) == set(nl.regions)


def test_police_ict_flapping_reaches_112_only_in_the_coupled_topology() -> None:
    scenario = load_scenario(SCENARIOS / "coupling-regression.yaml")
    assert scenario.design is not None and scenario.design.name == "meldkamer-nl"
    loaded = {"callers-112": TRAFFIC_CLASSES["callers-112"], **CALLERS}
    as_designed = predict(scenario.design, scenario.faults, loaded, {})["police-ict-flapping"]
    as_built = predict(scenario.topology, scenario.faults, loaded, {})["police-ict-flapping"]
    assert "callers-112" not in as_designed
    assert set(as_built["callers-112"]) == set(scenario.topology.regions)
    assert set(as_designed["callers-0900"]) == set(scenario.design.regions)  # 0900 needs ICT
