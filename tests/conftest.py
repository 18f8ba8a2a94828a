"""Shared fixtures: the real Toxiproxy, and the leftover check every session ends with."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest

from harness.errors import InfrastructureError
from harness.toxiproxy.binary import locate
from harness.toxiproxy.client import ToxiproxyClient
from harness.toxiproxy.server import ToxiproxyServer
from tests.prerequisites import missing


@pytest.fixture(scope="session")
def toxiproxy_binary() -> str:
    try:
        path = locate()
    except InfrastructureError as exc:
        missing("toxiproxy-server 2.12.0", str(exc))
    if path is None:
        missing("toxiproxy-server 2.12.0", "run `make toxiproxy` (make test does)")
    return str(path)


@pytest.fixture
def toxiproxy(toxiproxy_binary: str) -> Iterator[ToxiproxyClient]:
    """A fresh, real toxiproxy-server for one test, and a client for it."""
    from pathlib import Path

    with ToxiproxyServer(binary=Path(toxiproxy_binary)) as server:
        client = ToxiproxyClient(server.api)
        yield client
        client.close()


def _children() -> list[psutil.Process]:
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No test may leave a process behind: list and end our leftovers, and fail the run."""
    leftovers = _children()
    if not leftovers:
        return
    lines = []
    for proc in leftovers:
        try:
            lines.append(f"  pid {proc.pid}: {' '.join(proc.cmdline())[:160]}")
            proc.kill()
        except psutil.NoSuchProcess:
            continue
    if lines:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "LEFTOVER PROCESSES (killed; the run fails):\n" + "\n".join(lines), red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
