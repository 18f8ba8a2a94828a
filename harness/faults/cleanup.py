"""`harness cleanup`: undo every fault this harness applied, from any process, at any time.

Reads `.harness/applied.json` and undoes each entry through its driver's undo record
(faults/undo_registry.py; processes first, so a paused service can answer its control API; then
app faults; then Toxiproxy), tolerating things already gone: an unreachable Toxiproxy,
supervisor or service has taken its faults with it. Then it removes every toxic named dc.* on
each Toxiproxy it knows of (recorded, or the running stack's), whether listed or not. The file
is deleted when nothing failed, so running it again is harmless.

With `proxies` (`harness cleanup`, `harness down`) it also deletes the proxies the harness
created on an external stack: those stack.json lists as not the team's and named with the
stack's prefix. A team's proxy or toxic is never touched (theirs are not named dc.*).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from harness import paths
from harness.errors import HarnessError
from harness.faults import applied, undo_registry
from harness.faults.toxics import LinkUp, ToxicOff
from harness.faults.undo import Gone, UndoRecord
from harness.model.effects import TOXIC_PREFIX
from harness.model.stack import StackInfo
from harness.toxiproxy.client import ToxiproxyClient


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


def cleanup(state_dir: Path, *, proxies: bool = False) -> CleanupReport:
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
        records = [undo_registry.decode(raw) for raw in state.undo_records]
        for record in sorted(records, key=lambda r: r.rank):
            if isinstance(record, LinkUp | ToxicOff):
                apis.append(record.api)
            _undo(record, report)
    if (stack_api := _stack_toxiproxy(state_dir)) is not None:
        apis.append(stack_api)
    for api in dict.fromkeys(apis):  # each Toxiproxy once, in order
        _sweep(api, report)
    if proxies:
        _delete_created_proxies(state_dir, report)
    if state is not None and report.ok:
        path.unlink(missing_ok=True)
    return report


def _undo(record: UndoRecord, report: CleanupReport) -> None:
    what = record.label()
    try:
        record.undo()
        report.removed.append(what)
    except Gone:
        report.gone.append(what)
    except (HarnessError, KeyError, TypeError, ValueError) as exc:
        report.failed.append(f"{what}: {exc}")


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


def _delete_created_proxies(state_dir: Path, report: CleanupReport) -> None:
    """An external stack's proxies that the harness created (prefix + link), and only those."""
    try:
        stack = StackInfo.load(paths.stack_file(state_dir))
    except (OSError, ValueError, TypeError, KeyError):
        return
    prefix = stack.extra.get("proxy_prefix")
    if stack.backend != "external" or not isinstance(prefix, str) or not prefix:
        return
    ours = [p.name for p in stack.proxies.values() if not p.team and p.name.startswith(prefix)]
    client = ToxiproxyClient(stack.toxiproxy, timeout=1.0, retries=0)
    try:
        live = client.proxies() if client.reachable() else {}
        for name in ours:
            if name in live:
                client.delete_proxy(name)
                report.removed.append(f"toxiproxy proxy {name} (created by the harness)")
    except HarnessError as exc:
        report.failed.append(f"toxiproxy {stack.toxiproxy}: {exc}")
    finally:
        client.close()


def _stack_toxiproxy(state_dir: Path) -> str | None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        api = json.loads(paths.stack_file(state_dir).read_text(encoding="utf-8")).get("toxiproxy")
        return api if isinstance(api, str) else None
    return None
