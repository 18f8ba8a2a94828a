"""The Toxiproxy driver: LinkDown disables a link's proxy, Toxic adds a toxic named dc.<fault>.

A link stays disabled while any LinkDown for it is applied (two faults may cut the same link).
Applying a Toxic whose key is already applied updates it in place (a ramp step). `observed()`
reads GET /proxies and maps it back to effects, looking only at toxics named with TOXIC_PREFIX;
a proxy we rely on that has gone missing means Toxiproxy lost its state (it restarted), which
is reported as a ToxiproxyError so the reconciler can restore the proxies. `found(effect)` says
what observed() saw instead of an effect it left out, for the journal's Drift. `LinkUp` and
`ToxicOff` are the undo records (faults/undo.py): enable the proxy again, delete the toxic.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from harness.errors import ToxiproxyError
from harness.faults.undo import Gone, text
from harness.model.effects import TOXIC_PREFIX, Effect, LinkDown, Toxic
from harness.model.stack import StackInfo
from harness.toxiproxy.client import ProxyState, ToxicState, ToxiproxyClient

Key = tuple[str, str]

# What observed() ran into on a link, mildest first: a worse one explains a milder one (a
# restarting Toxiproxy is unreachable first, then back without its proxies).
TROUBLES = ("proxy missing", "Toxiproxy unreachable", "Toxiproxy restarted (all proxies gone)")


class ToxiproxyDriver:
    name = "toxiproxy"

    def __init__(
        self,
        client: ToxiproxyClient,
        links: Iterable[str] = (),
        names: Mapping[str, str] | None = None,
    ) -> None:
        self.client = client
        self.links = frozenset(links)  # proxies that must exist; empty: only those we touch
        self.names = dict(names or {})  # link -> its proxy's name, where the two differ
        self._links = {proxy: link for link, proxy in self.names.items()}
        self._down: dict[str, set[str]] = {}  # link -> faults holding it down
        self._toxics: dict[Key, Toxic] = {}
        self._seen: dict[str, ProxyState] = {}  # the proxies as observed() last saw them
        self._trouble: dict[str, int] = {}  # link -> TROUBLES index, until ours are back in force
        self._lock = threading.Lock()

    @classmethod
    def from_stack(cls, stack: StackInfo) -> ToxiproxyDriver:
        names = {link: p.name for link, p in stack.proxies.items() if p.name != link}
        return cls(ToxiproxyClient(stack.toxiproxy), stack.proxies, names)

    def _proxy(self, link: str) -> str:
        """The proxy of a link: named like it, except on an external stack (a team's proxy,
        or one the harness created with its prefix)."""
        return self.names.get(link, link)

    def _by_link(self, proxies: dict[str, ProxyState]) -> dict[str, ProxyState]:
        """Toxiproxy's proxies keyed, and named, by the link each one serves."""
        renamed = {}
        for name, proxy in proxies.items():
            link = self._links.get(name, name)
            renamed[link] = proxy if link == name else replace(proxy, name=link)
        return renamed

    def handles(self, effect: Effect) -> bool:
        return isinstance(effect, Toxic | LinkDown)

    def apply(self, effect: Effect) -> None:
        if isinstance(effect, LinkDown):
            self.client.set_enabled(self._proxy(effect.link), False)
            with self._lock:
                self._down.setdefault(effect.link, set()).add(effect.fault)
                self._trouble.pop(effect.link, None)
        elif isinstance(effect, Toxic):
            self._put(effect)
            with self._lock:
                self._toxics[effect.key] = effect
                self._trouble.pop(effect.link, None)
        else:
            raise TypeError(f"not a Toxiproxy effect: {effect!r}")

    def _put(self, toxic: Toxic) -> None:
        """One call when our idea of Toxiproxy's state is right; a second when it is not
        (the toxic vanished with a restart, or was left over from an earlier run)."""
        with self._lock:
            known = toxic.key in self._toxics
        first, second = (self._update, self._add) if known else (self._add, self._update)
        try:
            first(toxic)
        except ToxiproxyError as exc:
            try:
                second(toxic)
            except ToxiproxyError:
                raise exc from None

    def _add(self, toxic: Toxic) -> None:
        self.client.add_toxic(
            self._proxy(toxic.link),
            toxic.toxic_name,
            toxic.type,
            toxic.stream,
            toxic.toxicity,
            dict(toxic.attributes),
        )

    def _update(self, toxic: Toxic) -> None:
        self.client.update_toxic(
            self._proxy(toxic.link), toxic.toxic_name, toxic.toxicity, dict(toxic.attributes)
        )

    def remove(self, effect: Effect) -> None:
        if isinstance(effect, LinkDown):
            with self._lock:
                holders = self._down.setdefault(effect.link, set())
                holders.discard(effect.fault)
                still_down = bool(holders)
            if not still_down:
                try:
                    self.client.set_enabled(self._proxy(effect.link), True)
                except ToxiproxyError:
                    with self._lock:
                        self._down[effect.link].add(effect.fault)
                    raise
                with self._lock:
                    self._down.pop(effect.link, None)
        elif isinstance(effect, Toxic):
            try:
                self.client.remove_toxic(self._proxy(effect.link), effect.toxic_name)
            except ToxiproxyError:
                if not self._toxic_gone(effect):
                    raise
            with self._lock:
                self._toxics.pop(effect.key, None)
        else:
            raise TypeError(f"not a Toxiproxy effect: {effect!r}")

    def _toxic_gone(self, toxic: Toxic) -> bool:
        """Removing a toxic that is not there counts as done; an unreachable Toxiproxy does not."""
        proxy = self.client.proxy(self._proxy(toxic.link))  # raises ToxiproxyError when unreachable
        return proxy is None or proxy.toxic(toxic.toxic_name) is None

    def observed(self) -> set[Effect] | None:
        try:
            proxies = self._by_link(self.client.proxies())
        except ToxiproxyError:
            with self._lock:
                self._note(self.links | self._down.keys() | {k[0] for k in self._toxics}, 1)
            raise
        missing = sorted(self.links - proxies.keys())
        if missing:
            with self._lock:
                self._note(missing, 2 if not self.links & proxies.keys() else 0)
            shown = ", ".join(missing[:3]) + (" ..." if len(missing) > 3 else "")
            raise ToxiproxyError(
                f"Toxiproxy at {self.client.api} has no proxy for {shown} (restarted?)"
            )
        found: set[Effect] = set()
        with self._lock:
            down = {link: set(faults) for link, faults in self._down.items()}
            toxics = dict(self._toxics)
        for link, faults in down.items():
            if link in proxies and not proxies[link].enabled:
                found |= {LinkDown(fault, link) for fault in faults}
        for proxy in proxies.values():
            for state in proxy.toxics:
                if not state.name.startswith(TOXIC_PREFIX):
                    continue  # not ours: someone else's toxic is none of our business
                mine = toxics.get((proxy.name, state.name))
                if mine is not None and _matches(state, mine):
                    found.add(mine)
                elif mine is None:
                    found.add(_as_effect(proxy.name, state))
        ours: list[LinkDown | Toxic] = [
            *(LinkDown(f, link) for link, fs in down.items() for f in fs),
            *toxics.values(),
        ]
        lost = {e.link for e in ours if e not in found}
        with self._lock:
            self._seen = proxies
            for link in {e.link for e in ours} - lost:  # in force again: the trouble is over
                self._trouble.pop(link, None)
        return found

    def found(self, effect: Effect) -> str:
        """What observed() saw instead of `effect`: the trouble it ran into since the effect
        was last in force (its proxy deleted, Toxiproxy unreachable or restarted) first, else
        the proxy as last seen."""
        if not isinstance(effect, LinkDown | Toxic):
            raise TypeError(f"not a Toxiproxy effect: {effect!r}")
        with self._lock:
            trouble = self._trouble.get(effect.link)
            proxy = self._seen.get(effect.link)
        if trouble is not None:
            return TROUBLES[trouble]
        if proxy is None:
            return "proxy missing"
        if isinstance(effect, LinkDown):
            return "proxy enabled" if proxy.enabled else "proxy disabled"
        return "toxic missing" if proxy.toxic(effect.toxic_name) is None else "toxic changed"

    def _note(self, links: Iterable[str], trouble: int) -> None:
        """Remember the worst trouble seen on each link (the caller holds the lock)."""
        for link in links:
            self._trouble[link] = max(trouble, self._trouble.get(link, trouble))

    def undo_record(self, effect: Effect) -> LinkUp | ToxicOff:
        if isinstance(effect, LinkDown):
            return LinkUp(self.client.api, self._proxy(effect.link))
        if isinstance(effect, Toxic):
            return ToxicOff(self.client.api, self._proxy(effect.link), effect.toxic_name)
        raise TypeError(f"not a Toxiproxy effect: {effect!r}")


def _matches(state: ToxicState, toxic: Toxic) -> bool:
    """Toxiproxy reports every attribute of a toxic type; ours must all hold."""
    return (
        state.type == toxic.type
        and state.stream == toxic.stream
        and abs(state.toxicity - toxic.toxicity) < 1e-6
        and all(state.attributes.get(k) == v for k, v in toxic.attributes)
    )


def _as_effect(link: str, state: ToxicState) -> Toxic:
    return Toxic(
        state.name.removeprefix(TOXIC_PREFIX),
        link,
        state.type,
        state.stream,
        state.toxicity,
        tuple(sorted(state.attributes.items())),
    )


# --- undo records: applied.json {"driver": "toxiproxy", "api", "proxy", "enable": true | "toxic"}


@dataclass(frozen=True)
class LinkUp:
    """Undo a LinkDown: enable the link's proxy again."""

    api: str
    proxy: str
    rank: ClassVar[int] = 2  # after processes and app faults

    def to_dict(self) -> dict[str, Any]:
        return {"driver": "toxiproxy", "api": self.api, "proxy": self.proxy, "enable": True}

    def label(self) -> str:
        return f"toxiproxy {self.proxy} disabled"

    def undo(self) -> None:
        with _found(self.api, self.proxy) as (client, proxy):
            if proxy.enabled:
                raise Gone
            client.set_enabled(proxy.name, True)


@dataclass(frozen=True)
class ToxicOff:
    """Undo a Toxic: delete the toxic named dc.<fault> from the link's proxy."""

    api: str
    proxy: str
    toxic: str
    rank: ClassVar[int] = 2

    def to_dict(self) -> dict[str, Any]:
        return {"driver": "toxiproxy", "api": self.api, "proxy": self.proxy, "toxic": self.toxic}

    def label(self) -> str:
        return f"toxiproxy {self.proxy} {self.toxic}"

    def undo(self) -> None:
        with _found(self.api, self.proxy) as (client, proxy):
            if proxy.toxic(self.toxic) is None:
                raise Gone
            client.remove_toxic(proxy.name, self.toxic)


def undo_from_dict(raw: Mapping[str, Any]) -> LinkUp | ToxicOff:
    if raw.get("enable"):
        return LinkUp(text(raw, "api"), text(raw, "proxy"))
    return ToxicOff(text(raw, "api"), text(raw, "proxy"), text(raw, "toxic"))


@contextmanager
def _found(api: str, name: str) -> Iterator[tuple[ToxiproxyClient, ProxyState]]:
    """The proxy to undo on; Gone when Toxiproxy or the proxy is (they took our faults along)."""
    client = ToxiproxyClient(api, timeout=1.0, retries=0)
    try:
        proxy = client.proxy(name) if client.reachable() else None
        if proxy is None:
            raise Gone
        yield client, proxy
    finally:
        client.close()
