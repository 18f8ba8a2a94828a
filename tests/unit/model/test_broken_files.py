"""The corpus in tests/data/broken/: every broken scenario is reported as `file:line: message`,
with exactly the problems its `# expect: <line>: <message>` header lines name, and nothing of
pydantic's internals (class names, union branches) showing through."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.scenario import load_scenario
from tests.unit.model.corpus import INTERNALS, expectations

CORPUS = Path(__file__).resolve().parents[2] / "data" / "broken"
BROKEN = sorted(CORPUS.glob("*.yaml"))


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    return [str(p) for p in caught.value.problems]


def test_the_corpus_covers_at_least_25_mistakes() -> None:
    assert len(BROKEN) >= 25
    assert all(expectations(path) for path in BROKEN)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_a_broken_scenario_reports_exactly_the_expected_problems(path: Path) -> None:
    reported = problems(path)
    expected = expectations(path)
    for line, message in expected:
        prefix = f"{path}:{line}: "
        assert any(r.startswith(prefix) and message in r for r in reported), (
            f"expected {prefix}{message}\ngot:\n" + "\n".join(reported)
        )
    assert len(reported) == len(expected), "\n".join(reported)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_messages_never_show_pydantic_internals(path: Path) -> None:
    for problem in problems(path):
        assert not INTERNALS.search(problem), problem
