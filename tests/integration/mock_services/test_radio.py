"""Dispatch over the radio: console first, the radio sets in the room when it fails."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.mock_services.world import World

pytestmark = pytest.mark.integration

SERVICES = [
    "meldkamer-oost-brabant",
    "meldkamer-midden-nederland",
    "radio-console-oost-brabant",
    "radio-console-midden-nederland",
    "c2000",
    "police-ict",
]
DISPATCH = {"incident": "42", "unit": "unit-7"}


@pytest.fixture(scope="module")
def world(
    module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with World(module_toxiproxy, tmp_path_factory.mktemp("world"), SERVICES) as world:
        yield world


def dispatch(world: World, region: str) -> tuple[int, object]:
    name = f"meldkamer-{region}"
    return world.request(name, "POST", "/dispatch", DISPATCH, link=f"dispatchers->{name}")


def test_a_dispatch_goes_out_over_the_radio_console(world: World) -> None:
    assert dispatch(world, "oost-brabant") == (200, {"via": "console"})
    assert world.counters("c2000")["line.MSG"] >= 1


def test_with_the_console_unreachable_the_radio_sets_take_over(world: World) -> None:
    world.link_down("meldkamer-oost-brabant->radio-console-oost-brabant")
    assert dispatch(world, "oost-brabant") == (200, {"via": "radio-sets"})


def test_with_console_and_c2000_unreachable_dispatch_fails_with_503(world: World) -> None:
    world.link_down("meldkamer-oost-brabant->radio-console-oost-brabant")
    world.link_down("meldkamer-oost-brabant->c2000")
    status, body = dispatch(world, "oost-brabant")
    assert status == 503
    assert set(body["failures"]) == {"console", "radio-sets"}  # type: ignore[index]


def test_police_ict_down_breaks_the_console_in_a_2020_region_but_not_in_the_control_region(
    world: World,
) -> None:
    world.link_down("radio-console-oost-brabant->police-ict")
    status, _ = world.request(
        "radio-console-oost-brabant", "POST", "/dispatch", {"talkgroup": "tg-1", "message": "test"}
    )
    assert status == 503
    assert dispatch(world, "oost-brabant") == (200, {"via": "radio-sets"})
    assert dispatch(world, "midden-nederland") == (200, {"via": "console"})


def test_a_console_answering_errors_also_falls_back_to_the_radio_sets(world: World) -> None:
    world.set_fault("radio-console-midden-nederland", "dc.x", {"mode": "http", "status": 500})
    assert dispatch(world, "midden-nederland") == (200, {"via": "radio-sets"})


def test_a_bad_dispatch_request_is_refused_with_400(world: World) -> None:
    status, _ = world.request("meldkamer-oost-brabant", "POST", "/dispatch", {"unit": "x y"})
    assert status == 400


def test_c2000_speaks_its_line_protocol_and_refuses_overlong_lines(world: World) -> None:
    with socket.create_connection(world.address("c2000", "line"), timeout=5) as sock:
        sock.sendall(b"PTT tg-1 unit-1\nSTATUS unit-1 5\nMSG tg-1 hello all\nPING\nBOGUS\n")
        reader = sock.makefile("rb")
        answers = [reader.readline() for _ in range(5)]
        assert answers == [
            b"GRANT tg-1 unit-1\n",
            b"ACK unit-1\n",
            b"ACK\n",
            b"PONG\n",
            b"ERR unknown-command\n",
        ]
        sock.sendall(b"MSG tg " + b"x" * 2000 + b"\n")
        assert reader.readline() == b"ERR too-long\n"
        assert reader.readline() == b""  # and the connection is closed
