"""Drift: an applied fault effect found not in force (a proxy re-enabled or deleted by hand, a
toxic removed, Toxiproxy restarted), seen from the reconciler's verify() that heals it.

`DriftWatch` remembers when each applied effect was last observed in force (by a verify, or
when it was applied); an `Episode` is one verify(): the effects it found missing, each closed
with one Drift event when it is observed back in force after the re-apply, or when the
reconciler gives up. The missing time is measured from that last observation, so it is an
upper bound (see harness.journal.Drift).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from harness.journal import Drift
from harness.model.effects import Effect, LinkDown, ProcessFault, Toxic

Key = tuple[str, str]

_STATES = {"pause": "paused", "kill": "down", "restart": "restarted"}


def expected(effect: Effect) -> str:
    """What the effect in force looks like, in a few words: `link down`,
    `toxic dc.slow latency latency=3000`, `process paused`."""
    if isinstance(effect, LinkDown):
        return "link down"
    if isinstance(effect, Toxic):
        words = [f"toxic {effect.toxic_name} {effect.type}"]
        words += [f"{k}={v}" for k, v in effect.attributes]
        if effect.stream != "downstream":
            words.append(effect.stream)
        if effect.toxicity < 1:
            words.append(f"toxicity={effect.toxicity:g}")
        return " ".join(words)
    if isinstance(effect, ProcessFault):
        state = _STATES.get(effect.action, effect.action)
        return f"{'container' if effect.container else 'process'} {state}"
    spec = " ".join(f"{k}={v}" for k, v in effect.spec)
    return f"app fault {effect.fault_id} {spec}".rstrip()


class DriftWatch:
    """When each applied effect was last observed in force (wall time), by key."""

    def __init__(self) -> None:
        self._seen: dict[Key, float] = {}

    def seen(self, effect: Effect, wall: float) -> None:
        self._seen[effect.key] = wall

    def forget(self, effect: Effect) -> None:
        self._seen.pop(effect.key, None)

    def last_seen(self, effect: Effect, default: float) -> float:
        return self._seen.get(effect.key, default)

    def episode(self, scenario_t: Callable[[float], float]) -> Episode:
        return Episode(self, scenario_t)


@dataclass(frozen=True)
class _Gone:
    effect: Effect
    last_seen: float
    detected: float
    found: str

    def drift(self, wall: float, t: float, done: str, ok: bool) -> Drift:
        e = self.effect
        return Drift(
            wall=wall,
            t=t,
            fault=e.fault,
            effect=e.label(),
            target=e.target,
            expected=expected(e),
            found=self.found,
            done=done,
            last_seen=self.last_seen,
            detected=self.detected,
            missing=max(0.0, wall - self.last_seen),
            ok=ok,
        )


class Episode:
    """One verify(): what it found missing, until each is back in force or it gives up."""

    def __init__(self, watch: DriftWatch, scenario_t: Callable[[float], float]) -> None:
        self.watch = watch
        self.scenario_t = scenario_t
        self.restored = False  # the proxies were restored on the way
        self._gone: dict[Key, _Gone] = {}
        self._unsure: dict[Key, tuple[Effect, float]] = {}  # its driver could not be asked, since

    def missing(self, effect: Effect, found: str, wall: float) -> None:
        """Observed missing at `wall`; the first observation counts."""
        if effect.key not in self._gone:
            since = self.watch.last_seen(effect, wall)
            self._gone[effect.key] = _Gone(effect, since, wall, found)

    def cannot_tell(self, effects: Iterable[Effect], wall: float) -> None:
        """Applied, but their driver could not be asked at `wall` (Toxiproxy unreachable)."""
        for effect in effects:
            self._unsure.setdefault(effect.key, (effect, wall))

    def in_force(self, effects: Iterable[Effect], wall: float) -> list[Drift]:
        """Observed in force at `wall`: one Drift for each that had been found missing."""
        done = "restored proxies and re-applied" if self.restored else "re-applied"
        drifts = []
        for effect in effects:
            self.watch.seen(effect, wall)
            self._unsure.pop(effect.key, None)
            if (gone := self._gone.pop(effect.key, None)) is not None:
                drifts.append(gone.drift(wall, self.scenario_t(wall), done, True))
        return drifts

    def gave_up(self, error: Exception, wall: float, found: Callable[[Effect], str]) -> list[Drift]:
        """One failed Drift for each effect missing, or not observed since the episode began
        because its driver could not be asked."""
        for effect, since in self._unsure.values():
            self.missing(effect, found(effect), since)
        done = f"could not re-apply: {error}"
        drifts = [g.drift(wall, self.scenario_t(wall), done, False) for g in self._gone.values()]
        self._gone.clear()
        self._unsure.clear()
        return drifts
