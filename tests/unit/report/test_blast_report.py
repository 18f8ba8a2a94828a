"""The blast-radius matrix in the reports: the worst status of a fault x traffic square first,
with the regions it holds in, and a console line that names a hidden coupling."""

from __future__ import annotations

from harness.assertions.blast_radius import Cell
from harness.assertions.damage import DAMAGED, UNDECIDED, UNHARMED, Observed
from harness.report.blast import headline, matrix, to_json


def cell(fault: str, traffic: str, region: str, verdict: str, predicted: bool) -> Cell:
    observed = Observed(fault, traffic, region, verdict, 10, 40, 40, 40)
    return Cell(observed, predicted, "callers -> telephony -> meldkamer" if predicted else "")


COUPLED = [
    cell("police-ict-flapping", "callers-112", "rotterdam", DAMAGED, False),
    cell("police-ict-flapping", "callers-112", "zeeland", DAMAGED, False),
    cell("police-ict-flapping", "callers-112", "utrecht", UNHARMED, False),
    cell("police-ict-flapping", "callers-0900", "", DAMAGED, True),
    cell("c2000-down", "callers-112", "rotterdam", UNDECIDED, False),
]


def test_a_square_shows_its_worst_status_and_the_regions_it_holds_in() -> None:
    m = matrix(COUPLED)
    assert m.traffic == ("callers-0900", "callers-112")
    assert m.unexpected == 2
    rows = dict(m.rows)
    flap_0900, flap_112 = rows["police-ict-flapping"]
    assert flap_112 is not None and flap_112.text == "unexpected damage (rotterdam, zeeland)"
    assert flap_0900 is not None and (flap_0900.text, flap_0900.css) == (
        "as predicted",
        "predicted",
    )
    assert rows["c2000-down"][0] is None  # no 0900 cell for that fault


def test_the_console_names_the_hidden_coupling() -> None:
    assert headline(COUPLED) == (
        "blast radius: 2 cells of unexpected damage (hidden coupling): "
        "police-ict-flapping hurt callers-112 (2 cells)"
    )
    assert headline(COUPLED[2:4]) == "blast radius: no unexpected damage (2 of 2 cells judged)"


def test_summary_json_keeps_every_cell_with_its_status() -> None:
    data = to_json(COUPLED)
    assert data["unexpected_damage"] == 2
    assert [c["status"] for c in data["cells"]] == [
        "unexpected damage", "unexpected damage", "unharmed as predicted", "as predicted",
        "not enough samples",
    ]  # fmt: skip
    assert data["cells"][3]["region"] is None and data["cells"][3]["why"]
