"""The external backend: a stack the user runs, described in StackInfo's JSON shape.

The harness never starts or stops it; it only reads the description, breaks the links through
its Toxiproxy and sets application faults through the mocks' control API.
"""

from __future__ import annotations

import json
from pathlib import Path

from harness.backends.drivers import link_and_app_drivers
from harness.backends.evidence import Evidence, MockEvidence
from harness.backends.protocol import Site
from harness.errors import InvalidInput
from harness.faults.driver import Driver
from harness.model.stack import StackInfo
from harness.paths import stack_file


class ExternalBackend:
    name = "external"
    starts_stacks = False
    side_by_side = False

    def __init__(self, description: Path | None, state_dir: Path) -> None:
        self.description = description
        self.state_dir = state_dir

    @classmethod
    def at(cls, site: Site) -> ExternalBackend:
        return cls(site.description, site.state_dir)

    def up(self, *, detach: bool = False, timeout: float = 30.0) -> StackInfo:
        raise InvalidInput(f"backend {self.name} cannot be started by the harness")

    def down(self) -> None:
        """Forget the stack (it is not ours to stop)."""
        stack_file(self.state_dir).unlink(missing_ok=True)

    def describe(self) -> StackInfo:
        if self.description is None:
            raise InvalidInput("--backend external needs --stack FILE (a stack description)")
        try:
            raw = json.loads(self.description.read_text(encoding="utf-8"))
            raw.setdefault("backend", self.name)
            return StackInfo.from_dict(raw)
        except FileNotFoundError:
            raise InvalidInput(f"{self.description}: no such stack description") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise InvalidInput(f"{self.description}: not a stack description ({exc})") from None

    def drivers(self, stack: StackInfo) -> list[Driver]:
        return link_and_app_drivers(stack)

    def evidence(self, stack: StackInfo) -> Evidence:
        return MockEvidence(stack)
