"""The local process driver speaks to the supervisor: pause/kill/restart and their undo."""

from __future__ import annotations

from typing import Any

import pytest

from harness.faults.process import ProcessDriver
from harness.model.effects import LinkDown, ProcessFault


class FakeSupervisor:
    path = "/run/supervisor.sock"

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.services: dict[str, dict[str, Any]] = {"gms": {"alive": True, "paused": False}}

    def call(self, op: str, **args: Any) -> dict[str, Any]:
        self.calls.append((op, args))
        return {"ok": True, "services": self.services}


@pytest.fixture
def supervisor() -> FakeSupervisor:
    return FakeSupervisor()


@pytest.fixture
def driver(supervisor: FakeSupervisor) -> ProcessDriver:
    return ProcessDriver(supervisor)  # type: ignore[arg-type]


def test_pause_is_sigstop_and_its_removal_sigcont(
    driver: ProcessDriver, supervisor: FakeSupervisor
) -> None:
    driver.apply(ProcessFault("f", "gms", "pause"))
    driver.remove(ProcessFault("f", "gms", "pause"))
    assert supervisor.calls == [
        ("signal", {"service": "gms", "signal": "STOP"}),
        ("signal", {"service": "gms", "signal": "CONT"}),
    ]


def test_kill_is_sigkill_and_its_removal_starts_the_service(
    driver: ProcessDriver, supervisor: FakeSupervisor
) -> None:
    driver.apply(ProcessFault("f", "gms", "kill"))
    driver.remove(ProcessFault("f", "gms", "kill"))
    assert supervisor.calls == [
        ("signal", {"service": "gms", "signal": "KILL"}),
        ("start", {"service": "gms"}),
    ]


def test_restart_kills_and_starts_at_once_and_its_removal_does_nothing(
    driver: ProcessDriver, supervisor: FakeSupervisor
) -> None:
    driver.apply(ProcessFault("f", "gms", "restart", epoch=3))
    driver.remove(ProcessFault("f", "gms", "restart", epoch=3))
    assert supervisor.calls == [
        ("signal", {"service": "gms", "signal": "KILL"}),
        ("start", {"service": "gms"}),
    ]


def test_the_driver_handles_process_and_container_faults_on_the_local_backend(
    driver: ProcessDriver,
) -> None:
    assert driver.handles(ProcessFault("f", "gms", "pause"))
    assert driver.handles(ProcessFault("f", "gms", "pause", container=True))
    assert not driver.handles(LinkDown("f", "a->b"))


def test_observed_misses_a_pause_someone_resumed(
    driver: ProcessDriver, supervisor: FakeSupervisor
) -> None:
    pause = ProcessFault("f", "gms", "pause")
    driver.apply(pause)
    supervisor.services["gms"]["paused"] = True
    assert driver.observed() == {pause}
    supervisor.services["gms"]["paused"] = False
    assert driver.observed() == set()


def test_observed_sees_a_kill_while_the_service_is_down(
    driver: ProcessDriver, supervisor: FakeSupervisor
) -> None:
    kill = ProcessFault("f", "gms", "kill")
    driver.apply(kill)
    supervisor.services["gms"]["alive"] = False
    assert driver.observed() == {kill}
    supervisor.services["gms"]["alive"] = True
    assert driver.observed() == set()


def test_the_undo_record_names_the_supervisor_socket_and_what_to_do(driver: ProcessDriver) -> None:
    assert driver.undo_record(ProcessFault("f", "gms", "pause")).to_dict() == {
        "driver": "process",
        "socket": "/run/supervisor.sock",
        "service": "gms",
        "undo": "CONT",
    }
    assert driver.undo_record(ProcessFault("f", "gms", "restart")).to_dict()["undo"] == "start"
