"""The topology file: templates expand per region, every dependency is a link, errors have lines."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import InvalidInput
from harness.model.source import parse_yaml
from harness.model.topology import build_topology, load_topology
from harness.paths import scenarios_dir

DEFAULT = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"
COUPLED = scenarios_dir() / "topologies" / "meldkamer-nl-coupled.yaml"


def topology(text: str):  # type: ignore[no-untyped-def]
    return build_topology(parse_yaml(text, "t.yaml"))


def test_the_default_topology_has_five_regions_and_a_link_per_dependency() -> None:
    t = load_topology(DEFAULT)
    assert sorted(t.regions) == [
        "midden-nederland",
        "noord-holland",
        "oost-brabant",
        "rotterdam",
        "zeeland-west-brabant",
    ]
    assert "meldkamer-rotterdam->gms" in t.links
    assert "telephony->meldkamer-oost-brabant" in t.links
    assert t.links["telephony->meldkamer-oost-brabant"].port == "sip"
    assert t.links["dispatchers->meldkamer-rotterdam"].port == "http"
    assert t.links["dispatchers->meldkamer-rotterdam"].client


def test_the_radio_console_needs_police_ict_only_in_the_four_2020_regions() -> None:
    t = load_topology(DEFAULT)
    needing = sorted(
        link.source
        for link in t.dependents("police-ict")
        if link.source.startswith("radio-console-")
    )
    assert needing == [
        "radio-console-noord-holland",
        "radio-console-oost-brabant",
        "radio-console-rotterdam",
        "radio-console-zeeland-west-brabant",
    ]


def test_only_the_coupled_variant_makes_call_answering_depend_on_police_ict() -> None:
    assert not any(
        link.source.startswith("meldkamer-")
        for link in load_topology(DEFAULT).dependents("police-ict")
    )
    coupled = load_topology(COUPLED)
    link = coupled.links["meldkamer-rotterdam->police-ict"]
    assert link.policy is not None and link.policy.required


def test_c2000_and_police_ict_depend_on_nothing() -> None:
    t = load_topology(DEFAULT)
    assert t.dependencies("c2000") == []
    assert t.dependencies("police-ict") == []


MINIMAL = """\
version: 1
name: mini
regions: {north: {backup: south}, south: {}}
services:
  telephony:
    kind: telephony
    depends:
      meldkamer-{region}: {timeout: 1s, fallback: backup-region}
  meldkamer-{region}:
    kind: meldkamer
"""


def test_a_template_from_a_national_service_reaches_every_region() -> None:
    t = topology(MINIMAL)
    assert sorted(t.links) == ["telephony->meldkamer-north", "telephony->meldkamer-south"]
    assert t.links["telephony->meldkamer-north"].policy.timeout == 1.0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        (("kind: meldkamer\n", "kind: meldkamr\n"), 10, "unknown kind 'meldkamr'"),
        (("{backup: south}", "{backup: west}"), 3, "unknown backup region 'west'"),
        (("fallback: backup-region", "fallback: buffer"), 8, "has no fallback 'buffer'"),
        (("timeout: 1s", "timeout: soon"), 8, "bad duration 'soon'"),
        (("name: mini", "name: mini\nsurprise: 1"), 3, "unknown key 'surprise'"),
        (("meldkamer-{region}: {timeout", "gms: {timeout"), 8, "unknown service 'gms'"),
    ],
)
def test_mistakes_are_reported_with_their_line(
    change: tuple[str, str], line: int, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        topology(MINIMAL.replace(*change))
    text = str(caught.value)
    assert f"t.yaml:{line}:" in text and message in text, text


def test_a_dependency_cycle_is_refused() -> None:
    text = MINIMAL + "    depends: {telephony: {}}\n"
    with pytest.raises(InvalidInput, match="dependency cycle"):
        topology(text)


def test_duplicate_keys_are_refused_with_their_line() -> None:
    with pytest.raises(InvalidInput, match=r"t.yaml:\d+: YAML: .*duplicate"):
        topology(MINIMAL + "name: again\n")


@given(st.text(max_size=300))
def test_any_text_is_either_a_topology_or_invalid_input(text: str) -> None:
    with contextlib.suppress(InvalidInput):
        topology(text)


def test_a_missing_file_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no such file"):
        load_topology(tmp_path / "nope.yaml")
