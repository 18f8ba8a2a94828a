"""Fixtures for the mock world's integration tests: one real Toxiproxy per test module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer

REGIONS = ("oost-brabant", "noord-holland", "zeeland-west-brabant", "rotterdam", "midden-nederland")


@pytest.fixture(scope="module")
def module_toxiproxy(toxiproxy_binary: str) -> Iterator[ToxiproxyClient]:
    """A real toxiproxy-server shared by the tests of one module (worlds are costly to start);
    each test resets its toxics and disabled proxies through `calm`."""
    with ToxiproxyServer(binary=Path(toxiproxy_binary)) as server:
        client = ToxiproxyClient(server.api)
        yield client
        client.close()


@pytest.fixture(autouse=True)
def calm(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module-scoped world is shared: each test leaves it without toxics, disabled links or
    application faults."""
    world = request.getfixturevalue("world") if "world" in request.fixturenames else None
    yield
    if world is not None:
        world.calm()
