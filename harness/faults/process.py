"""Process faults on the local backend, through the supervisor's control socket.

pause: SIGSTOP, removed by SIGCONT. kill: SIGKILL, removed by starting the service again (same
ports). restart: SIGKILL then start at once; removing it does nothing (each on-window of a
restart is its own epoch, so a flapping restart restarts once per window). `ProcessUndo` is
the undo record (faults/undo.py): SIGCONT or start, through the same supervisor socket.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from harness.errors import StackError
from harness.faults.undo import Gone, text
from harness.model.effects import Effect, ProcessFault
from harness.model.stack import StackInfo
from harness.supervision import SupervisorClient

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

    def undo_record(self, effect: Effect) -> ProcessUndo:
        fault = _process_fault(effect)
        # a restart cut short by kill -9 leaves the service dead: start it
        return ProcessUndo(self.supervisor.path, fault.service, _UNDO[fault.action])

    def _signal(self, service: str, signal: str) -> None:
        self.supervisor.call("signal", service=service, signal=signal)


def _process_fault(effect: Effect) -> ProcessFault:
    if not isinstance(effect, ProcessFault) or effect.container:
        raise TypeError(f"not a local process effect: {effect!r}")
    return effect


@dataclass(frozen=True)
class ProcessUndo:
    """applied.json {"driver": "process", "socket", "service", "undo": "CONT" | "start"}."""

    supervisor: str  # the path of the supervisor's control socket
    service: str
    action: str  # "CONT" (end a pause) or "start" (end a kill)
    rank: ClassVar[int] = 0  # first: a paused service cannot answer its control API

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ProcessUndo:
        return cls(text(raw, "socket"), text(raw, "service"), text(raw, "undo"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "driver": "process",
            "socket": self.supervisor,
            "service": self.service,
            "undo": self.action,
        }

    def label(self) -> str:
        return f"process {self.service} ({self.action})"

    def undo(self) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(self.supervisor)
            except OSError:
                raise Gone from None  # no supervisor: its services died with it
        supervisor = SupervisorClient(self.supervisor, timeout=15.0)
        if self.action == "CONT":
            supervisor.call("signal", service=self.service, signal="CONT")
        else:
            supervisor.call("start", service=self.service)
