"""The corpus in tests/data/broken-topology/: the default topology with one mistake each. Every
broken topology is reported as `file:line: message`, with exactly the problems its
`# expect: <line>: <message>` header lines name, and nothing of pydantic's internals showing
through; a scenario naming a broken topology reports those same problems at the topology's lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.scenario import build_scenario
from harness.model.source import parse_yaml
from harness.model.topology import load_topology
from tests.unit.model.corpus import INTERNALS, expectations

CORPUS = Path(__file__).resolve().parents[2] / "data" / "broken-topology"
BROKEN = sorted(CORPUS.glob("*.yaml"))
VALID_SCENARIO = Path(__file__).with_name("valid.yaml").read_text(encoding="utf-8")


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_topology(path)
    return [str(p) for p in caught.value.problems]


def assert_reported(path: Path, reported: list[str]) -> None:
    for line, message in expectations(path):
        prefix = f"{path}:{line}: "
        assert any(r.startswith(prefix) and message in r for r in reported), (
            f"expected {prefix}{message}\ngot:\n" + "\n".join(reported)
        )


def test_the_corpus_covers_at_least_40_mistakes() -> None:
    assert len(BROKEN) >= 40
    assert all(expectations(path) for path in BROKEN)


def test_the_corpus_starts_from_a_topology_that_loads() -> None:
    default = CORPUS.parents[2] / "scenarios" / "topologies" / "meldkamer-nl.yaml"
    assert load_topology(default).services


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_a_broken_topology_reports_exactly_the_expected_problems(path: Path) -> None:
    reported = problems(path)
    assert_reported(path, reported)
    assert len(reported) == len(expectations(path)), "\n".join(reported)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_messages_never_show_pydantic_internals(path: Path) -> None:
    for problem in problems(path):
        assert not INTERNALS.search(problem), problem


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_a_scenario_on_a_broken_topology_reports_the_topology_lines(path: Path) -> None:
    text = VALID_SCENARIO.replace(
        "topology: ../../../scenarios/topologies/meldkamer-nl.yaml", f"topology: {path.name}"
    )
    with pytest.raises(InvalidInput) as caught:
        build_scenario(parse_yaml(text, "scenario.yaml"), CORPUS)
    reported = [str(p) for p in caught.value.problems]
    assert reported[0] == f"scenario.yaml:7: topology {path.name} is invalid"
    assert_reported(path, reported[1:])
    assert len(reported) == 1 + len(expectations(path)), "\n".join(reported)
