"""Application faults through a mock service's control API (PUT/DELETE /_control/faults/<id>).

The id is the effect's `fault_id` (dc.<fault>), so clean-up finds our faults by name. Health
and control requests are never faulted, so the control port answers even while the service
plays dead; GET /_control/faults lists the faults a service holds, for self-healing after the
service restarted. `AppUndo` is the undo record (faults/undo.py): DELETE the fault's URL.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import requests

from harness.errors import StackError
from harness.faults.undo import Gone, text
from harness.model.effects import AppFault, Effect
from harness.model.stack import StackInfo


class AppDriver:
    name = "app"

    def __init__(
        self,
        endpoints: Mapping[str, str],
        session: requests.Session | None = None,
        timeout: float = 2.0,
    ) -> None:
        self.endpoints = dict(endpoints)  # service -> host:port of its http (control) listener
        self.session = session or requests.Session()
        self.timeout = timeout
        self._applied: set[AppFault] = set()
        self._lock = threading.Lock()

    @classmethod
    def from_stack(cls, stack: StackInfo) -> AppDriver:
        return cls(
            {n: s.endpoints["http"] for n, s in stack.services.items() if "http" in s.endpoints}
        )

    def url(self, fault: AppFault) -> str:
        endpoint = self.endpoints.get(fault.service)
        if endpoint is None:
            raise StackError(f"service {fault.service} has no control endpoint in this stack")
        return f"http://{endpoint}/_control/faults/{fault.fault_id}"

    def handles(self, effect: Effect) -> bool:
        return isinstance(effect, AppFault)

    def apply(self, effect: Effect) -> None:
        fault = _app_fault(effect)
        self._send("PUT", fault, json=dict(fault.spec))
        with self._lock:
            self._applied.add(fault)

    def remove(self, effect: Effect) -> None:
        fault = _app_fault(effect)
        self._send("DELETE", fault, missing_ok=True)
        with self._lock:
            self._applied.discard(fault)

    def observed(self) -> set[Effect] | None:
        """Our faults each service still lists (GET /_control/faults -> {"faults": {id: spec}}).
        A service that does not answer cannot tell: a killed service is a fault of its own,
        and its app faults count as present until it answers again (then without them)."""
        with self._lock:
            applied = set(self._applied)
        found: set[Effect] = set()
        for service in {fault.service for fault in applied}:
            mine = {fault for fault in applied if fault.service == service}
            listed = self._listed(service)
            found |= mine if listed is None else {f for f in mine if f.fault_id in listed}
        return found

    def _listed(self, service: str) -> set[str] | None:
        try:
            url = f"http://{self.endpoints[service]}/_control/faults"
            answer = self.session.get(url, timeout=self.timeout).json()
            return set(answer["faults"])
        except (requests.RequestException, ValueError, KeyError, TypeError):
            return None

    def undo_record(self, effect: Effect) -> AppUndo:
        return AppUndo(self.url(_app_fault(effect)))

    def _send(self, method: str, fault: AppFault, missing_ok: bool = False, **kw: Any) -> None:
        url = self.url(fault)
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise StackError(
                f"{fault.service} control API unreachable: {type(exc).__name__}"
            ) from None
        if response.status_code == 404 and missing_ok:
            return
        if not response.ok:
            raise StackError(
                f"{fault.service} control API: {method} {fault.fault_id}: "
                f"HTTP {response.status_code} {response.text.strip()[:200]}"
            )

    def close(self) -> None:
        self.session.close()


def _app_fault(effect: Effect) -> AppFault:
    if not isinstance(effect, AppFault):
        raise TypeError(f"not an application fault: {effect!r}")
    return effect


@dataclass(frozen=True)
class AppUndo:
    """applied.json {"driver": "app", "url"}: the fault's control URL, to DELETE."""

    url: str
    rank: ClassVar[int] = 1  # after processes (a paused service cannot answer), before Toxiproxy

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> AppUndo:
        return cls(text(raw, "url"))

    def to_dict(self) -> dict[str, Any]:
        return {"driver": "app", "url": self.url}

    def label(self) -> str:
        return f"app fault {self.url}"

    def undo(self) -> None:
        try:
            response = requests.delete(self.url, timeout=2.0)
        except requests.ConnectionError:
            raise Gone from None  # the service is down; its faults lived in its memory
        except requests.RequestException as exc:
            raise ValueError(f"no answer: {type(exc).__name__}") from None
        if response.status_code == 404:
            raise Gone
        if not response.ok:
            raise ValueError(f"HTTP {response.status_code}")
