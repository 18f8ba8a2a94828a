"""Fixtures for Kamailio as the 112 router: one real Toxiproxy, the mock callees and one
uncoupled router per test module (they take seconds to start); each test leaves the links
and the callees calm again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer
from tests.integration.kamailio.router import Callees, Router, callees, control, router
from tests.prerequisites import need_kamailio


@pytest.fixture(scope="module")
def kamailio() -> str:
    return need_kamailio()


@pytest.fixture(scope="module")
def module_toxiproxy(toxiproxy_binary: str) -> Iterator[ToxiproxyClient]:
    with ToxiproxyServer(binary=Path(toxiproxy_binary)) as server:
        client = ToxiproxyClient(server.api)
        yield client
        client.close()


@pytest.fixture(scope="module")
def mocks(
    kamailio: str, module_toxiproxy: ToxiproxyClient, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callees]:
    with callees(module_toxiproxy, tmp_path_factory.mktemp("callees")) as found:
        yield found


@pytest.fixture(scope="module")
def sip_router(
    kamailio: str, mocks: Callees, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Router]:
    with router(kamailio, mocks, tmp_path_factory.mktemp("sip-router")) as started:
        yield started


@pytest.fixture(autouse=True)
def calm(request: pytest.FixtureRequest) -> Iterator[None]:
    """No toxics, no disabled links, no application faults once a test is done."""
    yield
    if "mocks" in request.fixturenames:
        request.getfixturevalue("module_toxiproxy").reset()
        found: Callees = request.getfixturevalue("mocks")
        for service in found.endpoints:
            control(found, service, "DELETE", "/_control/faults")
