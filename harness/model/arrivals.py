"""How a traffic class's requests arrive: evenly paced (the default) or as a seeded Poisson
process, and what a caller does after a failed call (redial, or spill over to 112).

All in wall-clock seconds, as rates are: the mock world's time (docs/scenarios.md, arrivals).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ArrivalModel = Literal["paced", "poisson"]


@dataclass(frozen=True)
class Redial:
    """A caller whose call failed tries again `after` seconds later, `attempts` times at most."""

    after: float
    attempts: int


@dataclass(frozen=True)
class Arrivals:
    model: ArrivalModel = "paced"
    redial: Redial | None = None
    spill_to_112: float = 0.0  # share of callers whose call (and redials) failed who dial 112

    def worst(self, call: float) -> float:
        """The longest a caller is busy for one arrival, when each call takes `call` seconds:
        the call, its redials and the pauses before them, and a spilled 112 call."""
        redials = self.redial.attempts if self.redial is not None else 0
        after = self.redial.after if self.redial is not None else 0.0
        spilled = call if self.spill_to_112 > 0 else 0.0
        return call * (1 + redials) + after * redials + spilled


PACED = Arrivals()
