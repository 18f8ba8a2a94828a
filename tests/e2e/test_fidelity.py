"""Assertions that need their faults: every shipped replay is run with one fault dropped at a
time and with all of them dropped. An assertion that `shows` faults must fail once all of
them are gone (it cannot pass on a world without the damage it claims); a continuity
assertion (no `shows`) must pass on a world with fewer faults."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.model import floor
from harness.model.scenario import load_scenario
from tests.e2e.conftest import SCENARIOS, RunOnStacks
from tests.e2e.mutants import fault_names, shows, write_mutant

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Replays whose continuity assertions fail with every fault in place, as they should: their
# continuity is only required once all faults are gone.
FAILS_AS_REPLAYED = {"coupling-regression", "kpn-2019-112"}


def mutants() -> list[tuple[str, tuple[str, ...]]]:
    """(scenario, faults dropped): each fault on its own (when there are several), then all."""
    out = []
    for path in sorted(SCENARIOS.glob("*.yaml")):
        faults = fault_names(path)
        singles = [(f,) for f in faults] if len(faults) > 1 else []
        out += [(path.stem, drop) for drop in [*singles, tuple(faults)] if drop]
    return out


def test_every_replay_with_faults_claims_some_damage_but_two() -> None:
    # gms-down's damage (incidents buffered in the meldkamers) is not a journal metric yet;
    # the coupling regression's damage is its failing 112 assertion (FAILS_AS_REPLAYED)
    claimed = {p.stem for p in SCENARIOS.glob("*.yaml") if any(shows(p).values())}
    with_faults = {p.stem for p in SCENARIOS.glob("*.yaml") if fault_names(p)}
    assert with_faults - claimed == {"gms-down", "coupling-regression"}


@pytest.mark.parametrize(
    ("name", "drop"), mutants(), ids=lambda x: "+".join(x) if isinstance(x, tuple) else x
)
def test_a_fidelity_assertion_fails_without_its_faults(
    run_on_stacks: RunOnStacks, tmp_path: Path, name: str, drop: tuple[str, ...]
) -> None:
    original = SCENARIOS / f"{name}.yaml"
    mutant = write_mutant(original, drop, tmp_path / f"{name}-mutant.yaml")
    # the shortest replay the sample floor allows: every window still judged, CI time kept
    shortest = floor.shortest(load_scenario(original))
    result = run_on_stacks(mutant, duration=shortest, report_dir=tmp_path / "report")
    passed = {o.name: o.passed for o in result.outcomes}
    all_dropped = set(drop) == set(fault_names(original))
    for assertion, faults in shows(original).items():
        if faults and set(faults) <= set(drop):
            assert not passed[assertion], f"'{assertion}' passes without {faults}\n{result.table}"
        elif not faults and (all_dropped or name not in FAILS_AS_REPLAYED):
            assert passed[assertion], f"'{assertion}' fails with fewer faults\n{result.table}"
