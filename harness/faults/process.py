"""Process faults on the local backend, through the supervisor's control socket.

pause: SIGSTOP, removed by SIGCONT. kill: SIGKILL, removed by starting the service again (same
ports). restart: SIGKILL then start at once; removing it does nothing (each on-window of a
restart is its own epoch, so a flapping restart restarts once per window).
"""

from __future__ import annotations

import threading
from typing import Any

from harness.backends.local.control import SupervisorClient
from harness.backends.stack import StackInfo
from harness.errors import StackError
from harness.faults.effects import Effect, ProcessFault

_UNDO = {"pause": "CONT", "kill": "start", "restart": "start"}


class ProcessDriver:
    name = "process"

    def __init__(self, supervisor: SupervisorClient) -> None:
        self.supervisor = supervisor
        self._applied: set[ProcessFault] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_stack(cls, stack: StackInfo) -> ProcessDriver:
        if stack.control is None:
            raise StackError(f"the {stack.backend} stack has no local supervisor to signal")
        return cls(SupervisorClient(stack.control))

    def handles(self, effect: Effect) -> bool:
        # {process: ...} and {container: ...} mean the same on the local backend
        return isinstance(effect, ProcessFault)

    def apply(self, effect: Effect) -> None:
        fault = _process_fault(effect)
        if fault.action == "pause":
            self._signal(fault.service, "STOP")
        elif fault.action == "kill":
            self._signal(fault.service, "KILL")
        else:  # restart
            self._signal(fault.service, "KILL")
            self.supervisor.call("start", service=fault.service)
        with self._lock:
            self._applied.add(fault)

    def remove(self, effect: Effect) -> None:
        fault = _process_fault(effect)
        if fault.action == "pause":
            self._signal(fault.service, "CONT")
        elif fault.action == "kill":
            self.supervisor.call("start", service=fault.service)
        with self._lock:
            self._applied.discard(fault)

    def observed(self) -> set[Effect] | None:
        """Our faults still in force. A paused service someone resumed is missing; a dead
        one cannot be paused again, and a restart, once done, is done."""
        services = self.supervisor.call("status")["services"]
        with self._lock:
            applied = set(self._applied)
        found: set[Effect] = set()
        for fault in applied:
            state = services.get(fault.service, {})
            alive = bool(state.get("alive"))
            if (
                (fault.action == "pause" and (state.get("paused") or not alive))
                or (fault.action == "kill" and not alive)
                or fault.action == "restart"
            ):
                found.add(fault)
        return found

    def undo_record(self, effect: Effect) -> dict[str, Any]:
        fault = _process_fault(effect)
        return {
            "driver": "process",
            "socket": self.supervisor.path,
            "service": fault.service,
            "undo": _UNDO[fault.action],  # a restart cut short by kill -9 leaves it dead
        }

    def _signal(self, service: str, signal: str) -> None:
        self.supervisor.call("signal", service=service, signal=signal)


def _process_fault(effect: Effect) -> ProcessFault:
    if not isinstance(effect, ProcessFault) or effect.container:
        raise TypeError(f"not a local process effect: {effect!r}")
    return effect
