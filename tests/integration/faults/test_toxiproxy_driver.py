"""The Toxiproxy driver against the real toxiproxy-server: faults really on, really off."""

from __future__ import annotations

import pytest

from harness.errors import ToxiproxyError
from harness.faults.toxics import ToxiproxyDriver
from harness.model.effects import LinkDown, Toxic
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.faults.conftest import LINKS, round_trip

pytestmark = pytest.mark.integration


def latency(ms: int, fault: str = "slow", link: str = "a->c") -> Toxic:
    return Toxic(fault, link, "latency", "downstream", 1.0, (("jitter", 0), ("latency", ms)))


def test_a_latency_toxic_really_delays_the_link_until_removed(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.apply(latency(300))
    slowed = round_trip(links["a->c"])
    assert slowed is not None and slowed >= 0.3
    driver.remove(latency(300))
    fast = round_trip(links["a->c"])
    assert fast is not None and fast < 0.2
    assert toxiproxy.proxies()["a->c"].toxics == ()


def test_applying_a_toxic_again_with_new_attributes_updates_it_in_place(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.apply(latency(100))
    driver.apply(latency(700))
    (state,) = toxiproxy.proxies()["a->c"].toxics
    assert (state.name, state.type, state.attributes["latency"]) == ("dc.slow", "latency", 700)


def test_a_toxic_left_over_from_another_run_is_taken_over_not_duplicated(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    toxiproxy.add_toxic("a->c", "dc.slow", "latency", attributes={"latency": 5})
    ToxiproxyDriver(toxiproxy, LINKS).apply(latency(400))
    (state,) = toxiproxy.proxies()["a->c"].toxics
    assert state.attributes["latency"] == 400


def test_a_link_stays_down_while_any_link_down_for_it_is_applied(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.apply(LinkDown("one", "b->c"))
    driver.apply(LinkDown("two", "b->c"))
    assert round_trip(links["b->c"], timeout=1.0) is None
    driver.remove(LinkDown("one", "b->c"))
    assert round_trip(links["b->c"], timeout=1.0) is None
    assert toxiproxy.proxies()["b->c"].enabled is False
    driver.remove(LinkDown("two", "b->c"))
    assert round_trip(links["b->c"]) is not None


def test_removing_what_is_already_gone_is_not_an_error(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.remove(latency(100))
    driver.remove(LinkDown("never", "c->d"))
    assert toxiproxy.proxies()["c->d"].enabled is True


def test_removing_a_toxic_from_an_unreachable_toxiproxy_is_an_error(links: dict[str, str]) -> None:
    from harness import procs

    dead = ToxiproxyClient(f"127.0.0.1:{procs.free_port()}", timeout=0.5, retries=0)
    with pytest.raises(ToxiproxyError):
        ToxiproxyDriver(dead).remove(latency(100))
    dead.close()


def test_observed_maps_toxiproxy_state_back_to_our_effects_only(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.apply(latency(250))
    driver.apply(LinkDown("cut", "c->d"))
    toxiproxy.add_toxic("b->c", "someone-elses", "latency", attributes={"latency": 1})
    toxiproxy.add_toxic("b->c", "dc.stray", "bandwidth", attributes={"rate": 10})
    assert driver.observed() == {
        latency(250),
        LinkDown("cut", "c->d"),
        Toxic("stray", "b->c", "bandwidth", "downstream", 1.0, (("rate", 10),)),
    }


def test_observed_misses_a_toxic_changed_behind_our_back(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    driver = ToxiproxyDriver(toxiproxy, LINKS)
    driver.apply(latency(250))
    toxiproxy.update_toxic("a->c", "dc.slow", 1.0, {"latency": 1})
    observed = driver.observed()
    assert observed is not None and latency(250) not in observed


def test_observed_raises_when_a_proxy_we_rely_on_is_missing(
    toxiproxy: ToxiproxyClient, links: dict[str, str]
) -> None:
    toxiproxy.delete_proxy("c->d")
    with pytest.raises(ToxiproxyError, match="no proxy for c->d"):
        ToxiproxyDriver(toxiproxy, LINKS).observed()
