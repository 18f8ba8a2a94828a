"""Resolution (harness/model/resolve.py): what the YAML says becomes the runtime scenario,
with times in seconds and targets as concrete names."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.scenario import Scenario, build_scenario
from harness.model.source import parse_yaml

VALID = Path(__file__).with_name("valid.yaml")
TEXT = VALID.read_text(encoding="utf-8")
REGIONS = ("oost-brabant", "noord-holland", "zeeland-west-brabant", "rotterdam", "midden-nederland")


def scenario(old: str = "", new: str = "") -> Scenario:
    assert old in TEXT
    return build_scenario(parse_yaml(TEXT.replace(old, new, 1), str(VALID)), VALID.parent)


def test_an_assertions_during_becomes_its_window_and_a_halts_window_its_halt_window() -> None:
    s = scenario()
    (afternoon,) = [c for c in s.assertions if c.name == "0900 down in the afternoon"]
    assert afternoon.window is not None
    assert (afternoon.window.start, afternoon.window.end) == (
        (2 * 24 + 11.5) * 3600,
        (2 * 24 + 16.5) * 3600,
    )
    assert afternoon.halt_window is None
    (halt,) = s.halts
    assert (halt.window, halt.halt_window) == (None, 5.0)


def test_link_globs_and_service_globs_list_every_match_once_in_order() -> None:
    links = scenario('{links: "*->police-ict"}', '{links: ["gms->*", "*->police-ict"]}')
    (flapping,) = [f for f in links.faults if f.name == "police-ict-flapping"]
    assert flapping.links[0] == "gms->police-ict"  # the first glob's match comes first
    assert flapping.links.count("gms->police-ict") == 1
    assert "office->police-ict" in flapping.links
    services = scenario("{service: gms}", '{services: ["meldkamer-r*", "meldkamer-*"]}')
    (paused,) = [f for f in services.faults if f.name == "gms-pause"]
    assert paused.services == (
        "meldkamer-rotterdam",
        *sorted(f"meldkamer-{r}" for r in REGIONS if r != "rotterdam"),
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ('{links: ["*->nowhere"]}', "faults.0.target.links: no link matches '*->nowhere'"),
        ('{link: "gms->police-itc"}', "did you mean 'gms->police-ict'?"),
        ('{services: "nothing-*"}', "faults.0.target.services: no service matches 'nothing-*'"),
        ('{service: "gsm"}', "faults.0.target.service: unknown service 'gsm'"),
    ],
)
def test_links_and_services_that_match_nothing_are_reported_alike(
    target: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario('{links: "*->police-ict"}', target)
    assert [p.line for p in caught.value.problems if message in p.message] == [15]
