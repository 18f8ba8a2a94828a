"""The new metrics as a scenario file writes them: `outage_spans` on any traffic class,
`answered_by_ratio` on 112 calls with `answered_by: own | backup`, refused elsewhere at the
assertion's line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.scenario import load_scenario

TOPOLOGY = Path(__file__).resolve().parents[3] / "scenarios" / "topologies" / "meldkamer-nl.yaml"


def scenario(tmp_path: Path, assertion: str, halt: str = "") -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(
        f"""version: 1
name: keys
topology: {TOPOLOGY}
clock: {{start: 2026-01-05T08:00, end: 2026-01-05T09:00, replay: 60s}}
load: {{callers-112: 20/s, office-users: 20/s}}
assertions:
  - {assertion}
{halt}""",
        encoding="utf-8",
    )
    return path


def problems(path: Path) -> str:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    return str(caught.value)


def test_outage_spans_and_answered_by_ratio_load_with_their_keys(tmp_path: Path) -> None:
    spans = "{metric: outage_spans, traffic: office-users, '>=': 3, assumption: a}"
    s = load_scenario(scenario(tmp_path, spans))
    assert (s.assertions[0].metric, s.assertions[0].threshold) == ("outage_spans", 3.0)
    own = "{metric: answered_by_ratio, traffic: callers-112, answered_by: own, '>=': 0.9}"
    assert load_scenario(scenario(tmp_path, own)).assertions[0].answered_by == "own"


@pytest.mark.parametrize(
    ("assertion", "message"),
    [
        ("{metric: answered_by_ratio, traffic: callers-112, '>=': 0.9}", "answered_by (own or"),
        ("{metric: outage_spans, traffic: callers-112, answered_by: own, '>=': 1}", "goes with"),
        ("{metric: answered_by_ratio, traffic: office-users, answered_by: own, '>=': 1}", "apply"),
        ("{metric: answered_by_ratio, answered_by: own, '>=': 1}", "needs a traffic class"),
        ("{metric: outage_spans, '>=': 1}", "needs a traffic class"),
        ("{metric: answered_by_ratio, traffic: callers-112, answered_by: self, '>=': 1}", "own"),
    ],
)
def test_a_misused_key_is_refused_at_its_line(tmp_path: Path, assertion: str, message: str) -> None:
    found = problems(scenario(tmp_path, assertion))
    assert ":7: " in found and message in found, found


def test_answered_by_ratio_is_no_halt_condition(tmp_path: Path) -> None:
    halt = (
        "halt:\n  - {metric: answered_by_ratio, traffic: callers-112, answered_by: backup,"
        " '>': 0.5, window: 5s}\n"
    )
    ok = "{metric: requests, traffic: callers-112, '>=': 1}"
    assert "not a halt condition" in problems(scenario(tmp_path, ok, halt))
