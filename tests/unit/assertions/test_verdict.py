"""The verdict and exit code from the outcomes and how the run ended."""

from __future__ import annotations

import signal

import pytest

from harness.assertions import Ending, decide, ending_from_journal
from harness.assertions.evaluate import Outcome
from harness.journal import Event, Halt
from tests.unit.assertions.journals import check, end, req, start, wall

HELD = Outcome(check(name="held"), 1.0, 10, True)
BROKEN = Outcome(check(name="broken"), 0.5, 10, False)
HALT = Halt(wall(100), 100, "112 keeps answering", 0.4)


@pytest.mark.parametrize(
    ("outcomes", "ending", "status", "code"),
    [
        ([HELD], Ending(), "passed", 0),
        ([], Ending(), "passed", 0),
        ([HELD, BROKEN], Ending(), "failed", 1),
        ([HELD], Ending("halted", halt=HALT), "halted", 1),
        ([BROKEN], Ending("halted", halt=HALT), "halted", 1),
        ([HELD], Ending("interrupted", signum=signal.SIGINT), "interrupted", 130),
        ([BROKEN], Ending("interrupted", signum=signal.SIGTERM), "interrupted", 143),
        ([HELD], Ending("error", "toxiproxy went away"), "error", 3),
        ([BROKEN], Ending("error", "toxiproxy went away"), "error", 3),
    ],
)
def test_verdict_and_exit_code(
    outcomes: list[Outcome], ending: Ending, status: str, code: int
) -> None:
    verdict = decide(outcomes, ending)
    assert (verdict.status, verdict.exit_code) == (status, code)


def test_a_failed_verdict_names_the_failed_assertions() -> None:
    assert decide([HELD, BROKEN]).reason == "1 of 2 assertions failed: broken"


def test_a_halted_verdict_names_the_halt_condition() -> None:
    assert "112 keeps answering" in decide([HELD], Ending("halted", halt=HALT)).reason


def test_an_interrupted_verdict_names_the_signal() -> None:
    assert (
        decide([], Ending("interrupted", signum=signal.SIGTERM)).reason == "interrupted by SIGTERM"
    )


class TestEndingFromJournal:
    def ending(self, *events: Event) -> Ending:
        return ending_from_journal([start(), req(1), *events])

    def test_a_completed_run_is_judged_by_its_assertions(self) -> None:
        assert self.ending(end(verdict="failed")) == Ending()

    def test_a_halt_event_means_halted(self) -> None:
        ending = self.ending(HALT, end(100, verdict="halted"))
        assert (ending.kind, ending.halt) == ("halted", HALT)

    def test_an_interrupted_run_keeps_its_signal(self) -> None:
        ending = self.ending(end(10, verdict="interrupted", reason="interrupted by signal 15"))
        assert decide([], ending).exit_code == 143

    def test_an_error_stays_an_error(self) -> None:
        assert (
            decide([HELD], self.ending(end(10, verdict="error", reason="boom"))).status == "error"
        )

    def test_no_run_end_means_the_run_was_killed(self) -> None:
        verdict = decide([HELD], self.ending())
        assert (verdict.status, verdict.exit_code) == ("interrupted", 128 + signal.SIGKILL)
        assert "no run-end" in verdict.reason
