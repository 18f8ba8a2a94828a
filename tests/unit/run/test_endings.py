"""How a run ends when its parts fail, with the fake driver, a fake load and fake evidence
probes: the verdict names the cause, the faults still come off, and the journal keeps the
evidence."""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from harness.assertions.evaluate import Outcome
from harness.assertions.view import JournalView
from harness.faults.driver import Driver
from harness.journal import Incidents, Probe, read_events
from harness.model.effects import Effect
from harness.model.scenario import Check
from harness.run.options import RunResult
from harness.run.replay import Run
from harness.run.signals import Signals
from tests.unit.assertions.journals import check
from tests.unit.faults.fake_driver import FakeDriver
from tests.unit.run.fakes import FakeEvidence, LoadStarter, options, quiet, stack, tiny_scenario
from tests.unit.schedule.scenarios import fault

ANSWERED = check("success_ratio", ">=", 0.9)
RECONCILED = check("incidents_reconciled", ">=", 1.0)


@pytest.fixture(autouse=True)
def no_sockets(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> None:
        raise AssertionError("a unit test of the run opened a connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)


class CrashingDriver(FakeDriver):
    """A driver with a bug: applying raises something that is no HarnessError."""

    def apply(self, effect: Effect) -> None:
        raise RuntimeError("driver bug")


def run(
    tmp: Path,
    *,
    drivers: Sequence[Driver] = (),
    load: LoadStarter | None = None,
    evidence: FakeEvidence | None = None,
    faults: bool = True,
) -> RunResult:
    (tmp / "report").mkdir()
    scenario = tiny_scenario(
        *([fault("cut", window=(0.0, 100.0))] if faults else []), checks=(ANSWERED, RECONCILED)
    )
    return Run(
        scenario,
        stack(),
        tmp / "report",
        options(tmp),
        quiet(),
        Signals(),
        drivers=list(drivers) or [FakeDriver()],
        evidence=evidence or FakeEvidence(),
        start_load=load or LoadStarter(),
    ).execute()


def test_a_run_whose_parts_all_work_completes_and_passes(tmp_path: Path) -> None:
    driver = FakeDriver()
    result = run(tmp_path, drivers=[driver])
    assert (result.verdict, result.exit_code) == ("passed", 0)
    assert [op for op, _ in driver.calls] == ["apply", "remove"]
    assert not driver.active


def test_when_locust_stops_early_the_run_is_an_error_naming_the_locust_log(
    tmp_path: Path,
) -> None:
    driver = FakeDriver()
    result = run(tmp_path, drivers=[driver], load=LoadStarter(dies=True))
    assert (result.verdict, result.exit_code) == ("error", 3)
    assert "stopped early" in result.reason
    assert str(tmp_path / "report" / "locust.log") in result.reason
    assert not driver.active  # the fault came off all the same
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["verdict"] == "error"


def test_when_the_reconciler_thread_dies_the_run_is_an_error_naming_the_exception(
    tmp_path: Path,
) -> None:
    load = LoadStarter()
    result = run(tmp_path, drivers=[CrashingDriver()], load=load)
    assert (result.verdict, result.exit_code) == ("error", 3)
    assert result.reason == "internal error in the reconciler: RuntimeError('driver bug')"
    assert load.load is not None and load.load.stopped
    assert not (tmp_path / "state" / "applied.json").exists()


def test_when_gms_cannot_be_read_the_journal_has_a_failed_gms_probe_and_no_incidents(
    tmp_path: Path,
) -> None:
    evidence = FakeEvidence(gms_down=True)
    result = run(tmp_path, evidence=evidence, faults=False)
    events = list(read_events(tmp_path / "report" / "journal.jsonl"))
    probes = {e.name: e for e in events if isinstance(e, Probe)}
    assert not probes["gms"].ok
    assert probes["gms"].detail == "incidents not readable after the run: Connection refused"
    assert not probes["health:gms"].ok and probes["health:telephony"].ok
    assert not any(isinstance(e, Incidents) for e in events)
    reconciled = next(o for o in result.outcomes if o.check == RECONCILED)
    assert not reconciled.passed and reconciled.observed is None
    assert "no incidents reconciliation" in reconciled.detail
    assert (result.verdict, result.exit_code) == ("failed", 1)
    assert evidence.closed


def test_a_run_judges_its_assertions_once_and_reports_that_judgement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    evaluate_module = sys.modules["harness.assertions.evaluate"]
    judged: list[str] = []
    real = evaluate_module.evaluate_one

    def counting(check: Check, view: JournalView) -> Outcome:
        judged.append(check.name)
        outcome: Outcome = real(check, view)
        return outcome

    monkeypatch.setattr(evaluate_module, "evaluate_one", counting)
    result = run(tmp_path)
    assert judged == [ANSWERED.name, RECONCILED.name]
    summary = json.loads((tmp_path / "report" / "summary.json").read_text())
    assert summary["verdict"] == result.verdict == "passed"
