"""The topology file: pydantic models that mirror the YAML (version 1, docs/topology.md).

They reject unknown keys and check each value on its own; names, references, regions, cycles
and templates are checked when the file is built (topology.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from harness.model.duration import Duration
from harness.model.kinds import KINDS
from harness.model.program import RunFile

NAME = r"^[a-z][a-z0-9-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PolicyFile(_Strict):
    timeout: Duration = 1.0
    retries: int = Field(0, ge=0, le=10)
    required: bool = True
    fallback: str | None = None
    regions: list[str] | None = Field(None, min_length=1)  # only these of a regional service


class CallTakersFile(_Strict):
    """A meldkamer's room (mock_services/meldkamer/call_takers.py); wall-clock seconds."""

    positions: int = Field(ge=1)  # calls answered at once
    queue: int | None = Field(None, ge=0)  # calls waiting for a position; None: no bound
    answer_delay: Duration = 0.0  # from pick-up to answer
    handling: Duration = 0.0  # a position stays taken this long after the pick-up


class ServiceFile(_Strict):
    kind: str | None = None  # a mock's kind; for a team's own program, the role it plays
    depends: dict[str, PolicyFile] = Field(default_factory=dict)
    run: RunFile | None = None  # a team's own program, started by the local backend
    image: str | None = Field(None, min_length=1)  # ... or by the compose backend
    listen: list[str] | None = Field(None, min_length=1)  # its listeners; the first is primary
    health: str | None = None
    start_timeout: Duration | None = None
    offers: list[str] = Field(default_factory=list)  # evidence it answers (docs/own-system.md)
    call_takers: CallTakersFile | None = None  # a meldkamer mock's positions; None: unbounded

    @property
    def own(self) -> bool:
        return self.run is not None or self.image is not None


class RegionFile(_Strict):
    backup: str | None = None
    description: str = ""


def _listener(value: Any) -> Any:
    """A client's `port` names a listener; the numbers are the harness's to choose."""
    if value is not None and not isinstance(value, str):
        listeners = sorted({name for kind in KINDS.values() for name in kind.listeners})
        raise ValueError(
            f"expected a listener name ({', '.join(listeners)}), got {value!r}: "
            "the harness chooses port numbers itself"
        )
    return value


class ClientFile(_Strict):
    to: list[str] = Field(min_length=1)
    port: Annotated[str | None, BeforeValidator(_listener)] = None


class TopologyFile(_Strict):
    version: Literal[1]
    name: str = Field(pattern=NAME)
    description: str = ""
    regions: dict[str, RegionFile]
    services: dict[str, ServiceFile]
    clients: dict[str, ClientFile] = Field(default_factory=dict)
