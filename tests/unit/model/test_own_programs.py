"""A team's own program in the topology: templates name links and listeners, the health check
is one of three forms, the service takes its listeners and evidence from its own entry, and a
metric whose evidence nobody offers is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.model.kinds import OWN
from harness.model.needs import missing_evidence
from harness.model.program import Health, UnknownTemplate, parse_health, render, templates_in
from harness.model.source import parse_yaml
from harness.model.topology import Topology, build_topology, load_topology

ROOT = Path(__file__).resolve().parents[3]


def topology(text: str, name: str = "t.yaml") -> Topology:
    return build_topology(parse_yaml(text, str(ROOT / "tests" / "data" / name)))


def test_templates_become_the_addresses_of_links_and_listeners() -> None:
    text = "listen=tcp:{listen:sip}\nroute {\n  $du = 'sip:{link:r->m}';\n}\n-f {config}"
    links = {"r->m": "127.0.0.1:4001"}
    rendered = render(text, links, {"sip": "127.0.0.1:5060"}, "/run/r/k.cfg")
    assert (
        rendered
        == "listen=tcp:127.0.0.1:5060\nroute {\n  $du = 'sip:127.0.0.1:4001';\n}\n-f /run/r/k.cfg"
    )


def test_a_template_without_an_address_is_named() -> None:
    with pytest.raises(UnknownTemplate, match="link:r->gms"):
        render("{link:r->gms}", {}, {})
    with pytest.raises(UnknownTemplate, match="config"):
        render("-f {config}", {}, {})


@given(st.text(alphabet=st.sampled_from("{}ab:$-> \n;")))
def test_text_that_holds_no_template_is_left_exactly_as_it_was(text: str) -> None:
    if not templates_in(text):
        assert render(text, {}, {}) == text


@pytest.mark.parametrize(
    ("text", "health"),
    [
        ("tcp", Health("tcp")),
        ("http GET /healthz", Health("http", "/healthz")),
        ("sip OPTIONS", Health("sip")),
    ],
)
def test_the_three_health_checks(text: str, health: Health) -> None:
    assert parse_health(text) == health
    assert str(health) == text


@pytest.mark.parametrize("text", ["udp", "http /health", "http GET health", "sip INVITE", ""])
def test_any_other_health_check_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="bad health check"):
        parse_health(text)


def test_a_health_check_runs_on_the_listener_named_like_it_else_the_primary() -> None:
    assert Health("http").listener(("sip", "http")) == "http"
    assert Health("sip").listener(("api",)) == "api"
    assert Health("tcp").listener(("line", "http")) == "line"


def test_kamailio_routes_112_as_an_own_program_behind_its_links() -> None:
    t = load_topology(ROOT / "scenarios" / "topologies" / "meldkamer-nl-kamailio.yaml")
    router = t.services["sip-router"]
    assert router.own and router.kind == OWN and router.listeners == ("sip",)
    assert router.health == Health("sip")
    assert router.program is not None and router.program.config_to == "kamailio.cfg"
    assert "telephony" not in t.services
    assert t.clients["callers"] == ("callers->sip-router",)
    dials = {link.target for link in t.dependencies("sip-router")}
    assert dials == {*(f"meldkamer-{r}" for r in t.regions), "police-contact-centre"}


def test_a_regional_program_gets_its_own_region_in_its_command() -> None:
    t = topology(
        """
version: 1
name: regional
regions: {north: {}, south: {}}
services:
  desk-{region}:
    listen: [http]
    run: {command: [desk, --region, "{region}", --upstream, "{link:desk-{region}->ict}"]}
    depends: {ict: {}}
  ict: {kind: police-ict}
"""
    )
    north = t.services["desk-north"]
    assert north.program is not None
    assert north.program.command == (
        "desk",
        "--region",
        "north",
        "--upstream",
        "{link:desk-north->ict}",
    )


def test_an_own_program_playing_a_kind_takes_its_listeners_but_offers_only_what_it_says() -> None:
    t = topology(
        """
version: 1
name: own-gms
regions: {}
services:
  gms: {kind: gms, run: {command: [my-cad]}}
"""
    )
    gms = t.services["gms"]
    assert gms.kind == "gms" and gms.listeners == ("http",) and gms.health == Health("http")
    assert gms.evidence == frozenset()
    assert missing_evidence("incidents_reconciled", t, None) is not None


def test_incidents_reconciled_is_measurable_when_some_service_offers_incidents() -> None:
    t = load_topology(ROOT / "scenarios" / "topologies" / "meldkamer-nl-kamailio.yaml")
    assert missing_evidence("incidents_reconciled", t, None) is None  # the GMS mock offers it
    assert missing_evidence("via_ratio", t, "dispatchers") is None
    assert missing_evidence("success_ratio", t, "callers") is None


def test_via_ratio_needs_every_dispatch_target_to_say_which_way_it_went() -> None:
    t = topology(
        """
version: 1
name: own-desk
regions: {}
services:
  desk: {listen: [http], run: {command: [desk]}}
  office: {listen: [http], offers: [dispatch-via], run: {command: [office]}}
clients:
  dispatchers: {to: [desk, office]}
"""
    )
    why = missing_evidence("via_ratio", t, "dispatchers")
    assert why is not None and "desk does not" in why and "office" not in why
