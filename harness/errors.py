"""One error hierarchy for the harness; third-party errors are translated at the boundary.

Every error carries the process exit code the CLI returns for it (README, Using it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class HarnessError(Exception):
    """Base of every error the harness reports to a user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as `file:line`."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class InvalidInput(HarnessError):
    """A scenario, topology or argument is wrong (exit 2). Holds every problem found."""

    exit_code = 2

    def __init__(self, problems: Sequence[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("<input>", None, problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InfrastructureError(HarnessError):
    """The stack, Toxiproxy, Docker or a tool is missing or unreachable (exit 3)."""

    exit_code = 3


class ToxiproxyError(InfrastructureError):
    """Toxiproxy did not answer, or answered with an error we cannot act on."""


class StackError(InfrastructureError):
    """A part of the stack did not start, became unhealthy or cannot be reached."""


class Interrupted(HarnessError):
    """The run was stopped by a signal; faults were removed first (exit 128 + signal)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(f"interrupted by signal {signum}")
