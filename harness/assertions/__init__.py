"""Assertions over the journal: metrics, checks, halt conditions and the verdict."""

from harness.assertions.evaluate import Outcome, RegionOutcome, evaluate
from harness.assertions.halt import HaltWatcher
from harness.assertions.verdict import Ending, Verdict, decide, ending_from_journal, with_drift
from harness.assertions.view import JournalView

__all__ = [
    "Ending",
    "HaltWatcher",
    "JournalView",
    "Outcome",
    "RegionOutcome",
    "Verdict",
    "decide",
    "ending_from_journal",
    "evaluate",
    "with_drift",
]
