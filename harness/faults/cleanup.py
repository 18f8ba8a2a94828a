"""`harness cleanup`: undo every fault this harness applied, from any process, at any time.

Reads `.harness/applied.json` and undoes each entry with its undo record (processes first, so
a paused service can answer its control API; then app faults; then Toxiproxy), tolerating
things already gone: an unreachable Toxiproxy, supervisor or service has taken its faults with
it. Then it removes every toxic named dc.* on each Toxiproxy it knows of (recorded, or the
running stack's), whether listed or not. The file is deleted when nothing failed, so running
it again is harmless.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from harness import paths
from harness.backends.local.control import SupervisorClient
from harness.errors import HarnessError
from harness.faults import applied
from harness.faults.effects import TOXIC_PREFIX
from harness.toxiproxy.client import ToxiproxyClient

_ORDER = {"process": 0, "docker": 0, "app": 1, "toxiproxy": 2}


class _Gone(Exception):
    """The thing to undo no longer exists, and its fault went with it."""


@dataclass
class CleanupReport:
    removed: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        if not (self.removed or self.gone or self.failed):
            return "nothing to clean up"
        lines = [f"removed: {r}" for r in self.removed]
        lines += [f"already gone: {g}" for g in self.gone]
        lines += [f"FAILED: {f}" for f in self.failed]
        return "\n".join(lines)


def cleanup(state_dir: Path) -> CleanupReport:
    report = CleanupReport()
    path = paths.applied_file(state_dir)
    apis: list[str] = []
    try:
        state = applied.load(path)
    except ValueError as exc:
        report.failed.append(f"{path}: unreadable ({exc}); left in place")
        state = None
    if state is not None:
        if state.toxiproxy:
            apis.append(state.toxiproxy)
        records = sorted(state.undo_records, key=lambda r: _ORDER.get(str(r.get("driver")), 3))
        for record in records:
            if record.get("driver") == "toxiproxy" and isinstance(record.get("api"), str):
                apis.append(record["api"])
            _undo(record, report)
    if (stack_api := _stack_toxiproxy(state_dir)) is not None:
        apis.append(stack_api)
    for api in dict.fromkeys(apis):  # each Toxiproxy once, in order
        _sweep(api, report)
    if state is not None and report.ok:
        path.unlink(missing_ok=True)
    return report


def _undo(record: dict[str, Any], report: CleanupReport) -> None:
    undo = _UNDOERS.get(str(record.get("driver")))
    what = _describe(record)
    if undo is None:
        report.failed.append(f"{what}: no way to undo it here")
        return
    try:
        undo(record)
        report.removed.append(what)
    except _Gone:
        report.gone.append(what)
    except (HarnessError, KeyError, TypeError, ValueError) as exc:
        report.failed.append(f"{what}: {exc}")


def _describe(record: dict[str, Any]) -> str:
    driver = record.get("driver")
    if driver == "toxiproxy":
        thing = record.get("toxic") or "disabled"
        return f"toxiproxy {record.get('proxy')} {thing}"
    if driver == "process":
        return f"process {record.get('service')} ({record.get('undo')})"
    if driver == "app":
        return f"app fault {record.get('url')}"
    if driver == "docker":
        return f"container {record.get('container')} ({record.get('undo')})"
    return json.dumps(record, sort_keys=True)


# --- one undoer per driver ----------------------------------------------------------------


def _undo_toxiproxy(record: dict[str, Any]) -> None:
    client = ToxiproxyClient(record["api"], timeout=1.0, retries=0)
    try:
        if not client.reachable():
            raise _Gone  # a Toxiproxy that is gone took its toxics with it
        proxy = client.proxy(record["proxy"])
        if proxy is None:
            raise _Gone
        if record.get("enable"):
            if proxy.enabled:
                raise _Gone
            client.set_enabled(proxy.name, True)
        else:
            if proxy.toxic(record["toxic"]) is None:
                raise _Gone
            client.remove_toxic(proxy.name, record["toxic"])
    finally:
        client.close()


def _undo_process(record: dict[str, Any]) -> None:
    path = record["socket"]
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        try:
            probe.connect(path)
        except OSError:
            raise _Gone from None  # no supervisor: its services died with it
    supervisor = SupervisorClient(path, timeout=15.0)
    if record["undo"] == "CONT":
        supervisor.call("signal", service=record["service"], signal="CONT")
    else:
        supervisor.call("start", service=record["service"])


def _undo_app(record: dict[str, Any]) -> None:
    try:
        response = requests.delete(record["url"], timeout=2.0)
    except requests.ConnectionError:
        raise _Gone from None  # the service is down; its faults lived in its memory
    except requests.RequestException as exc:
        raise ValueError(f"no answer: {type(exc).__name__}") from None
    if response.status_code == 404:
        raise _Gone
    if not response.ok:
        raise ValueError(f"HTTP {response.status_code}")


def _undo_docker(record: dict[str, Any]) -> None:
    from docker.client import from_env
    from docker.errors import DockerException, NotFound

    try:
        container = from_env(timeout=10).containers.get(record["container"])
        if record["undo"] == "unpause":
            if container.status != "paused":
                raise _Gone
            container.unpause()
        elif container.status != "running":
            container.start()
        else:
            raise _Gone
    except NotFound:
        raise _Gone from None
    except DockerException as exc:
        raise ValueError(str(exc)) from None


_UNDOERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "toxiproxy": _undo_toxiproxy,
    "process": _undo_process,
    "app": _undo_app,
    "docker": _undo_docker,
}


def _sweep(api: str, report: CleanupReport) -> None:
    """Remove every dc.* toxic on one Toxiproxy, listed or not."""
    client = ToxiproxyClient(api, timeout=1.0, retries=0)
    try:
        if not client.reachable():
            return
        for proxy in client.proxies().values():
            for toxic in proxy.toxics:
                if toxic.name.startswith(TOXIC_PREFIX):
                    client.remove_toxic(proxy.name, toxic.name)
                    report.removed.append(f"toxiproxy {proxy.name} {toxic.name} (unlisted)")
    except HarnessError as exc:
        report.failed.append(f"toxiproxy {api}: {exc}")
    finally:
        client.close()


def _stack_toxiproxy(state_dir: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        api = json.loads(paths.stack_file(state_dir).read_text(encoding="utf-8")).get("toxiproxy")
        return api if isinstance(api, str) else None
    return None
