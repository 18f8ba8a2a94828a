"""Observed damage from hand-made journals, and the predicted-vs-observed matrix: damage is a
success ratio clearly below the fault-free baseline, too few samples is said as such, and the
coupling regression's failing 112 calls come out as unexpected damage in every region."""

from __future__ import annotations

from typing import Any

from harness.assertions.blast_radius import (
    AS_PREDICTED,
    MISSED,
    UNEXPECTED,
    UNHARMED,
    blast_matrix,
)
from harness.assertions.damage import DAMAGED, UNDECIDED, observe
from harness.assertions.evaluate import evaluate
from harness.assertions.view import JournalView
from harness.journal import Event
from harness.model.blast import predict
from harness.model.scenario import load_scenario
from tests.unit.assertions.journals import check, end, req, start, transition
from tests.unit.model.test_blast import SCENARIOS

ON, OFF = 1200.0, 2400.0  # scenario seconds: the fault's window (20 s of wall time)


def calls(lo: float, hi: float, ok: bool, every: float = 20.0, **kw: Any) -> list[Event]:
    n = int((hi - lo) / every)
    return [req(lo + i * every, ok, **kw) for i in range(n)]


def journal(during_ok: bool, blast: Any = None, every: float = 20.0, **kw: Any) -> list[Event]:
    return [
        start(blast=blast),
        *calls(0, ON, True, **kw),
        transition(ON, True, "meldkamer-rotterdam->police-ict"),
        *calls(ON + 30, OFF, during_ok, every, **kw),
        transition(OFF, False, "meldkamer-rotterdam->police-ict"),
        *calls(OFF + 30, 3600, True, **kw),
        end(),
    ]


def test_failures_while_the_fault_was_on_are_damage() -> None:
    (cell,) = observe(JournalView(journal(during_ok=False)))
    assert (cell.fault, cell.traffic, cell.region, cell.verdict) == (
        "flap",
        "callers-112",
        "rotterdam",
        DAMAGED,
    )
    assert cell.ratio == 0.0 and cell.baseline_ratio == 1.0


def test_no_drop_is_no_damage_and_too_few_samples_is_said() -> None:
    (held,) = observe(JournalView(journal(during_ok=True)))
    assert held.verdict == "unharmed" and held.samples >= 20
    (few,) = observe(JournalView(journal(during_ok=True, every=200.0)))
    assert few.verdict == UNDECIDED and few.samples < 20  # a few that held prove little


def test_a_few_failures_against_a_healthy_baseline_are_already_damage() -> None:
    # at compressed rates a short fault holds few requests: all of them failing is evidence
    (few,) = observe(JournalView(journal(during_ok=False, every=200.0)))
    assert few.verdict == "damaged" and few.samples < 20


def test_a_request_straddling_a_switch_counts_for_neither_side() -> None:
    slow = req(ON - 1, False, latency=5.0)  # started before, failed after the fault went on
    events = [*journal(during_ok=False)[:-1], slow, end()]
    (cell,) = observe(JournalView(events))
    (plain,) = observe(JournalView(journal(during_ok=False)))
    assert (cell.samples, cell.baseline) == (plain.samples, plain.baseline)


def test_time_when_two_faults_overlap_is_blamed_on_neither() -> None:
    other = [transition(ON, True, "office->police-ict", "other")]
    events = [*journal(during_ok=False)[:-1], *other, end()]
    cells = {c.fault: c for c in observe(JournalView(events))}
    assert cells["flap"].samples == 0 and cells["flap"].verdict == UNDECIDED


def design(**traffic: dict[str, str]) -> dict[str, dict[str, dict[str, str]]]:
    return {"flap": traffic}


def status(events: list[Event]) -> str:
    cells = blast_matrix(events)
    assert cells is not None
    (cell,) = cells
    return cell.status


def test_each_cell_compares_prediction_and_observation() -> None:
    hurt = {"callers-112": {"rotterdam": "meldkamer-rotterdam needs police-ict"}}
    assert status(journal(False, design())) == UNEXPECTED
    assert status(journal(False, design(**hurt))) == AS_PREDICTED
    assert status(journal(True, design(**hurt))) == MISSED
    assert status(journal(True, design())) == UNHARMED
    assert status(journal(True, design(), every=200.0)) == UNDECIDED


REGIONS = ("oost-brabant", "noord-holland", "zeeland-west-brabant", "rotterdam", "midden-nederland")


def coupled_run(prediction: dict[str, dict[str, dict[str, str]]]) -> list[Event]:
    """112 refused in every region while police ICT is down, as on the coupled topology."""
    events: list[Event] = [start(blast=prediction)]
    for region in REGIONS:
        events += calls(0, ON, True, 10.0, region=region)
        events += calls(ON + 30, OFF, False, 10.0, region=region)
        events += calls(OFF + 30, 3600, True, 10.0, region=region)
    events += [transition(ON, True, "meldkamer-rotterdam->police-ict", "police-ict-flapping")]
    events += [transition(OFF, False, "meldkamer-rotterdam->police-ict", "police-ict-flapping")]
    return [events[0], *sorted(events[1:], key=lambda e: e.wall), end()]


def test_the_coupling_regression_is_unexpected_damage_to_112_in_every_region() -> None:
    scenario = load_scenario(SCENARIOS / "coupling-regression.yaml")
    loaded = {x.traffic: x.traffic_class for x in scenario.load}
    assert scenario.design is not None
    as_designed = predict(scenario.design, scenario.faults, loaded, {})
    gate = check("unexpected_damage", "==", 0, traffic=None)
    (outcome,) = evaluate([gate], coupled_run(as_designed))
    assert outcome.observed == len(REGIONS) and not outcome.passed
    assert "police-ict-flapping x callers-112 in rotterdam" in outcome.detail
    as_built = predict(scenario.topology, scenario.faults, loaded, {})
    (built,) = evaluate([gate], coupled_run(as_built))
    assert built.observed == 0 and built.passed  # declared, so expected: no finding


def test_a_run_start_without_a_prediction_fails_the_gate_with_a_reason() -> None:
    gate = check("unexpected_damage", "==", 0, traffic=None)
    (outcome,) = evaluate([gate], journal(False))
    assert not outcome.passed and "no blast-radius prediction" in outcome.detail
