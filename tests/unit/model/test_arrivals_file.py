"""A built-in class's long load entry: arrival model, redials and spill-over, marked as choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.arrivals import PACED, Arrivals, Redial
from harness.model.scenario import load_scenario
from harness.paths import scenarios_dir

TOPOLOGY = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"


def scenario(tmp_path: Path, load: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "s.yaml"
    path.write_text(
        "version: 1\nname: s\n"
        f"topology: {TOPOLOGY}\n"
        "clock: {start: 2026-01-05T08:00, end: 2026-01-05T09:00, replay: 20s}\n"
        f"load:\n{load}",
        encoding="utf-8",
    )
    return load_scenario(path)


def test_a_rate_alone_keeps_paced_arrivals(tmp_path: Path) -> None:
    (load,) = scenario(tmp_path, "  callers-112: 20/s\n").load
    assert (load.rate, load.arrivals) == (20.0, PACED)


def test_the_long_form_gives_arrivals_redials_and_spill_over(tmp_path: Path) -> None:
    (load,) = scenario(
        tmp_path,
        "  callers-0900: {rate: 5/s, arrivals: poisson, redial: {after: 5s, attempts: 2},\n"
        "                 spill_to_112: 0.2, assumption: no source counts redials}\n",
    ).load
    assert load.rate == 5.0
    assert load.arrivals == Arrivals("poisson", Redial(after=5.0, attempts=2), 0.2)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "callers-0900: {rate: 5/s, spill_to_112: 0.2}",
            "s.yaml:6: load.callers-0900: redial and spill_to_112 are modelling choices",
        ),
        (
            "radio-units: {rate: 5/s, redial: {after: 1s, attempts: 1}, assumption: a}",
            "s.yaml:6: load.radio-units.redial: only callers redial",
        ),
        (
            "callers-112: {rate: 5/s, spill_to_112: 0.5, assumption: a}",
            "s.yaml:6: load.callers-112.spill_to_112: callers-112 cannot spill over to 112",
        ),
        (
            "callers-112: {rate: 5/s, arrivals: bursty}",
            "s.yaml:6: load.callers-112.arrivals: must be 'paced' or 'poisson'",
        ),
        (
            "callers-112: {rate: 5/s, spill_to_112: 2, assumption: a}",
            "load.callers-112.spill_to_112: must be <= 1.0",
        ),
        ("callers-112: {rate: 5/s, redial: {after: 1s, attempts: 0}, assumption: a}", "attempts"),
    ],
)
def test_mistakes_in_the_long_form_are_reported_at_their_line(
    tmp_path: Path, entry: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        scenario(tmp_path, f"  {entry}\n")
    assert message in str(caught.value)
