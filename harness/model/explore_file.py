"""The `explore:` section of a scenario file: the bounds `harness explore` draws schedules in.

Each range is written mildest first (`latency: [100ms, 2s]`, `rate: [1000, 10]`): hypothesis
shrinks a failing schedule toward the first value, so "smaller" means milder. Checked here
on its own; the targets are resolved against the topology when the search starts
(harness/explore/bounds.py).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.model.duration import Duration
from harness.model.explain import AtKey
from harness.model.time_point import TimePoint
from harness.model.toxics import TOXICS

PROCESS_FAULTS = ("pause", "kill", "restart")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ExploreFaultsFile(_Strict):
    max: int = Field(2, ge=1, le=8, description="the most faults one schedule holds")
    overlap: bool = Field(True, description="false: no two faults' windows overlap")


class ExploreWindowFile(_Strict):
    """Where in the clock faults may fall, and how long each may last (scenario time)."""

    start: TimePoint | None = Field(None, alias="from")
    until: TimePoint | None = None
    length: tuple[Duration, Duration] = Field(
        (600.0, 21600.0), description="shortest and longest window of one fault"
    )

    @model_validator(mode="after")
    def _ordered(self) -> ExploreWindowFile:
        low, high = self.length
        if not 0 < low <= high:
            raise AtKey("length", "give [shortest, longest], both above 0s, shortest first")
        return self


class ExploreFlapFile(_Strict):
    """Flapping as a fault may do it: each period drawn from its range (mildest first)."""

    up: tuple[Duration, Duration]
    down: tuple[Duration, Duration]

    @model_validator(mode="after")
    def _positive(self) -> ExploreFlapFile:
        for key in ("up", "down"):
            if min(getattr(self, key)) <= 0:
                raise AtKey(key, f"flap {key} periods must be longer than 0s")
        return self


def _down_only() -> dict[str, dict[str, tuple[Any, Any]]]:
    return {"down": {}}


class ExploreFile(_Strict):
    target: str = Field(
        "continuity",
        description="`continuity` (every assertion without `shows`), `unexpected-damage` "
        "(a coupling nobody wrote down), or the name of one assertion",
    )
    replay: Duration | None = Field(
        None,
        description="wall seconds of an example outside its faults' windows; unset: the "
        "shortest the sample floor allows",
    )
    focus: Duration = Field(
        1.0,
        gt=0,
        description="wall seconds the shortest fault window gets; every fault window is "
        "replayed at that pace, so the damage it does is seen in calls",
    )
    faults: ExploreFaultsFile = ExploreFaultsFile()
    links: list[str] = Field(default_factory=list, description="link patterns toxics may hit")
    services: list[str] = Field(default_factory=list, description="services process faults may hit")
    toxics: dict[str, dict[str, tuple[Any, Any]]] = Field(
        default_factory=_down_only,
        description="toxic -> attribute -> [mildest, harshest]",
    )
    processes: list[Literal["pause", "kill", "restart"]] = Field(default_factory=list)
    when: ExploreWindowFile = ExploreWindowFile()
    flap: ExploreFlapFile | None = None

    @model_validator(mode="after")
    def _check(self) -> ExploreFile:
        if not self.links and not self.services:
            raise ValueError("give links (for toxics) or services (for process faults)")
        if self.links and not self.toxics:
            raise AtKey("toxics", "links need at least one toxic to draw")
        if self.services and not self.processes:
            raise AtKey("processes", "services need at least one of " + ", ".join(PROCESS_FAULTS))
        for name, attributes in self.toxics.items():
            toxic = TOXICS.get(name)
            if toxic is None:
                raise AtKey("toxics", f"unknown toxic '{name}' (known: {', '.join(TOXICS)})")
            for key, values in attributes.items():
                try:
                    [toxic.native(key, v) for v in values]
                except ValueError as exc:
                    raise AtKey("toxics", str(exc)) from None
        return self
