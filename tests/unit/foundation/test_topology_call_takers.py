"""A meldkamer's call-takers are set in the topology and reach the mock as settings."""

from __future__ import annotations

import pytest

from harness.backends.wiring import service_config
from harness.errors import InvalidInput
from harness.model.source import parse_yaml
from harness.model.topology import Topology, build_topology, load_topology
from harness.paths import scenarios_dir

ROOM = """\
version: 1
name: t
regions: {rotterdam: {}}
services:
  telephony: {kind: telephony, depends: {"meldkamer-{region}": {}}}
  meldkamer-{region}:
    kind: meldkamer
    call_takers: {positions: 4, queue: 8, answer_delay: 2s, handling: 30s}
"""


def topology(text: str) -> Topology:
    return build_topology(parse_yaml(text, "t.yaml"))


def config(t: Topology, service: str) -> dict[str, object]:
    proxies = dict.fromkeys(t.links, ("127.0.0.1", 1))
    return service_config(t, service, {}, proxies)


def test_the_call_takers_of_a_meldkamer_reach_its_config() -> None:
    settings = config(topology(ROOM), "meldkamer-rotterdam")["settings"]
    assert settings == {"positions": 4, "queue": 8, "answer_delay": 2.0, "handling": 30.0}


def test_without_call_takers_a_meldkamer_gets_no_settings_as_before() -> None:
    t = load_topology(scenarios_dir() / "topologies" / "meldkamer-nl.yaml")
    assert all(config(t, name)["settings"] == {} for name in t.services)


def test_only_a_meldkamer_has_call_takers() -> None:
    text = ROOM.replace(
        'telephony: {kind: telephony, depends: {"meldkamer-{region}": {}}}',
        'telephony: {kind: telephony, call_takers: {positions: 1}, depends: {"meldkamer-{region}": {}}}',
    )
    with pytest.raises(InvalidInput, match=r"t.yaml:5: .*only a meldkamer mock has call-takers"):
        topology(text)


@pytest.mark.parametrize(
    ("room", "wrong"),
    [
        ("{positions: 0}", "positions"),
        ("{queue: 3}", "positions"),
        ("{positions: 2, queue: -1}", "queue"),
    ],
)
def test_a_room_needs_at_least_one_position_and_a_queue_of_zero_or_more(
    room: str, wrong: str
) -> None:
    text = ROOM.replace("{positions: 4, queue: 8, answer_delay: 2s, handling: 30s}", room)
    with pytest.raises(InvalidInput, match=wrong):
        topology(text)
