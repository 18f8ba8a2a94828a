"""Shared fixtures: the real Toxiproxy, and the leftover check every session ends with."""

from __future__ import annotations

import os
import uuid
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


# Every process this session starts inherits this token, even ones that detach (harness up),
# so the leftover check finds them wherever they were re-parented.
SESSION_TOKEN = os.environ.setdefault("DC_TEST_SESSION", uuid.uuid4().hex)


def _leftovers() -> list[psutil.Process]:
    found = {p.pid: p for p in psutil.Process().children(recursive=True)}
    for proc in psutil.process_iter():
        try:
            if proc.pid != os.getpid() and proc.environ().get("DC_TEST_SESSION") == SESSION_TOKEN:
                found[proc.pid] = proc
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    alive = []
    for proc in found.values():
        try:
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            continue
    return alive


_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI=true nothing may be skipped (a skip is a prerequisite nobody installed), and no
    test may leave a process behind: list and end our leftovers, and fail the run."""
    from tests.prerequisites import on_ci

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if on_ci() and _skipped:
        if reporter is not None:
            reporter.write_line(
                f"CI=true: {len(_skipped)} test(s) skipped, failing the run: "
                + ", ".join(_skipped[:5]),
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    leftovers = _leftovers()
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
        if reporter is not None:
            reporter.write_line(
                "LEFTOVER PROCESSES (killed; the run fails):\n" + "\n".join(lines), red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
