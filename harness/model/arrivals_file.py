"""A built-in traffic class's load entry in its long form (docs/scenarios.md, arrivals):

    callers-0900: {rate: 5/s, arrivals: poisson, redial: {after: 5s, attempts: 2},
                   spill_to_112: 0.2, assumption: "..."}

The short form `callers-0900: 5/s` stays what it was: paced arrivals, no redials.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from harness.model.duration import Duration
from harness.model.rate import Rate


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RedialFile(_Strict):
    after: Duration  # wall seconds from a failed call to the next try
    attempts: int = Field(ge=1, le=10)


class BuiltinLoadFile(_Strict):
    """A built-in class's rate with how its requests arrive (harness/model/arrivals.py)."""

    rate: Rate
    arrivals: Literal["paced", "poisson"] = "paced"
    redial: RedialFile | None = None
    spill_to_112: float | None = Field(None, ge=0, le=1)
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _marked(self) -> BuiltinLoadFile:
        if (self.redial or self.spill_to_112) and not (self.source or self.assumption):
            raise ValueError(
                "redial and spill_to_112 are modelling choices: say where they come from "
                "with source: or assumption:"
            )
        return self
