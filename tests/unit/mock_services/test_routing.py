"""Where telephony sends a call: 112 by region with alternate routing, 0900/088, else nowhere."""

from __future__ import annotations

from mock_services.core.config import Dependency, ServiceConfig
from mock_services.core.numbers import number_class
from mock_services.telephony.routing import route


def meldkamer(region: str, fallback: str | None = "backup-region") -> Dependency:
    return Dependency(
        f"meldkamer-{region}",
        "meldkamer",
        f"telephony->meldkamer-{region}",
        "127.0.0.1",
        1,
        region=region,
        fallback=fallback,
    )


CENTRE = Dependency(
    "police-contact-centre",
    "police-contact-centre",
    "telephony->police-contact-centre",
    "127.0.0.1",
    2,
)


def config(
    *deps: Dependency,
    regions: dict[str, str | None] | None = None,
    settings: dict[str, object] | None = None,
) -> ServiceConfig:
    return ServiceConfig(
        "telephony",
        "telephony",
        dependencies={d.service: d for d in deps},
        regions=regions
        if regions is not None
        else {"rotterdam": "zeeland", "zeeland": "rotterdam"},
        settings=dict(settings or {}),
    )


def names(result: object) -> list[str]:
    assert result is not None
    return [d.service for d in result.targets]  # type: ignore[attr-defined]


def test_the_numbers_and_their_classes() -> None:
    assert number_class("112") == "112"
    assert number_class("09008844") == "0900"
    assert number_class("0900-8844") == "0900"
    assert number_class("088") == "088"
    assert number_class("0881") is None
    assert number_class("") is None


def test_112_goes_to_the_callers_region_then_to_its_backup() -> None:
    result = route(config(meldkamer("rotterdam"), meldkamer("zeeland")), "112", "rotterdam")
    assert names(result) == ["meldkamer-rotterdam", "meldkamer-zeeland"]
    assert result is not None and result.region == "rotterdam"


def test_no_alternate_routing_without_the_backup_region_fallback() -> None:
    deps = (meldkamer("rotterdam", fallback=None), meldkamer("zeeland"))
    assert names(route(config(*deps), "112", "rotterdam")) == ["meldkamer-rotterdam"]


def test_a_region_without_a_meldkamer_goes_straight_to_its_backup() -> None:
    assert names(route(config(meldkamer("zeeland")), "112", "rotterdam")) == ["meldkamer-zeeland"]


def test_a_112_call_without_a_known_region_is_routed_to_the_default_region() -> None:
    deps = (meldkamer("rotterdam"), meldkamer("zeeland"))
    assert names(route(config(*deps), "112", None))[0] == "meldkamer-rotterdam"
    assert names(route(config(*deps), "112", "atlantis"))[0] == "meldkamer-rotterdam"
    chosen = config(*deps, settings={"default_region": "zeeland"})
    assert names(route(chosen, "112", None))[0] == "meldkamer-zeeland"


def test_0900_and_088_go_to_the_police_contact_centre() -> None:
    for number in ("09008844", "088"):
        result = route(config(CENTRE), number, "rotterdam")
        assert names(result) == ["police-contact-centre"]


def test_an_unknown_number_has_no_route_and_a_world_without_targets_has_an_empty_one() -> None:
    assert route(config(CENTRE), "12345", None) is None
    assert names(route(config(regions={}), "112", None)) == []
    assert names(route(config(), "088", None)) == []


def test_an_alternate_number_reaches_that_meldkamer_only_past_the_112_platform() -> None:
    c = config(meldkamer("north"), meldkamer("south"), regions={"north": "south", "south": None})
    r = route(c, "meldkamer-north", caller_region="south")
    assert r is not None
    assert r.number == "alternate"  # not "112": a fault scoped to 112 does not touch it
    assert [t.service for t in r.targets] == ["meldkamer-north"]  # no alternate routing
    assert number_class("meldkamer-north") == "alternate"


def test_an_alternate_number_of_an_unknown_region_is_nobodys_number() -> None:
    c = config(meldkamer("north"))
    assert route(c, "meldkamer-atlantis", caller_region=None) is None


# --- a 112 platform built as redundant copies (scenarios/topologies/meldkamer-nl-kpn.yaml) -----


def copy(name: str, fallback: str | None = "next-copy") -> Dependency:
    return Dependency(name, "telephony", f"telephony->{name}", "127.0.0.1", 3, fallback=fallback)


def test_an_entry_in_front_of_platform_copies_tries_each_copy_in_turn_for_112() -> None:
    copies = [copy("routing-112-a"), copy("routing-112-b"), copy("routing-112-c", None)]
    result = route(config(*copies, meldkamer("rotterdam"), CENTRE), "112", "rotterdam")
    assert names(result) == ["routing-112-a", "routing-112-b", "routing-112-c"]
    assert result is not None and result.region == "rotterdam"


def test_a_copy_without_next_copy_ends_the_list() -> None:
    copies = [copy("routing-112-a", None), copy("routing-112-b")]
    assert names(route(config(*copies), "112", "rotterdam")) == ["routing-112-a"]


def test_the_meldkamers_own_numbers_and_0900_bypass_the_platform_copies() -> None:
    deps = config(copy("routing-112-a"), meldkamer("rotterdam", None), CENTRE)
    assert names(route(deps, "meldkamer-rotterdam", None)) == ["meldkamer-rotterdam"]
    assert names(route(deps, "09008844", None)) == ["police-contact-centre"]
