"""The proof that a team's own system can be put under the schedule: Debian's Kamailio, a real
SIP proxy, routes 112 in place of the mock telephony. The September 2020 replay passes on it
with the same continuity and fidelity assertions, and the coupled Kamailio (a police-ICT lookup
before every 112 call) fails the 112 assertion, as the coupling regression does on the mocks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from harness.journal import Request, RunStart, read_events
from harness.model.scenario import load_scenario
from tests.e2e.conftest import SCENARIOS, Harness, summary
from tests.prerequisites import need_kamailio

pytestmark = [pytest.mark.integration, pytest.mark.slow]

KAMAILIO = SCENARIOS / "topologies" / "meldkamer-nl-kamailio.yaml"
COUPLED = SCENARIOS / "topologies" / "meldkamer-nl-kamailio-coupled.yaml"


def replay(harness: Harness, scenario: str, topology: Path, seconds: int, report: Path) -> str:
    need_kamailio()
    result = harness(
        "run",
        str(SCENARIOS / scenario),
        "--topology",
        str(topology),
        "--duration",
        str(seconds),
        "--report-dir",
        str(report),
        timeout=seconds + 180,
    )
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def answered_112(report: Path) -> Counter[str | None]:
    return Counter(
        e.answered_by
        for e in read_events(report / "journal.jsonl")
        if isinstance(e, Request) and e.traffic == "callers-112" and e.ok
    )


def test_september_2020_passes_with_kamailio_as_the_112_router(
    harness: Harness, tmp_path: Path
) -> None:
    report = tmp_path / "report"
    output = replay(harness, "september-2020.yaml", KAMAILIO, 30, report)  # a third of 90 s
    assert output.startswith("exit 0"), output
    data = summary(report)
    assertions = data["assertions"]
    every = load_scenario(SCENARIOS / "september-2020.yaml").assertions
    assert isinstance(assertions, list) and len(assertions) == len(every)
    assert all(a["passed"] for a in assertions)  # continuity and fidelity alike
    start = next(e for e in read_events(report / "journal.jsonl") if isinstance(e, RunStart))
    assert start.topology == str(KAMAILIO)
    by = answered_112(report)
    assert set(by) == {
        f"meldkamer-{r}"
        for r in (
            "oost-brabant",
            "noord-holland",
            "zeeland-west-brabant",
            "rotterdam",
            "midden-nederland",
        )
    }  # every region, via Kamailio


def test_the_coupled_kamailio_router_fails_the_112_assertion(
    harness: Harness, tmp_path: Path
) -> None:
    report = tmp_path / "report"
    output = replay(harness, "coupling-regression.yaml", COUPLED, 15, report)
    assert output.startswith("exit 1"), output
    failed = [a["name"] for a in summary(report)["assertions"] if not a["passed"]]  # type: ignore[union-attr, index]
    assert "112 answered in every region" in failed
    assert "112 answered in every region" in output
    assert sum(answered_112(report).values()) > 0  # it routed calls while police ICT was up
