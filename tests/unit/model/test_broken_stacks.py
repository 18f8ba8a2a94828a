"""The corpus in tests/data/broken-stack/: the mini stack file with one mistake each. Every broken
stack file is reported as `file:line: message`, with exactly the problems its
`# expect: <line>: <message>` header lines name, and nothing of pydantic's internals showing
through."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.external_stack import load_external_stack
from tests.unit.model.corpus import INTERNALS, expectations

DATA = Path(__file__).resolve().parents[2] / "data"
CORPUS = DATA / "broken-stack"
BROKEN = sorted(CORPUS.glob("*.yaml"))


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as caught:
        load_external_stack(path)
    return [str(p) for p in caught.value.problems]


def test_the_corpus_covers_at_least_15_mistakes() -> None:
    assert len(BROKEN) >= 15
    assert all(expectations(path) for path in BROKEN)


def test_the_corpus_starts_from_a_stack_file_that_loads() -> None:
    assert load_external_stack(DATA / "external" / "stack.yaml").links


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_a_broken_stack_file_reports_exactly_the_expected_problems(path: Path) -> None:
    reported = problems(path)
    for line, message in expectations(path):
        prefix = f"{path}:{line}: "
        assert any(r.startswith(prefix) and message in r for r in reported), (
            f"expected {prefix}{message}\ngot:\n" + "\n".join(reported)
        )
    assert len(reported) == len(expectations(path)), "\n".join(reported)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_messages_never_show_pydantic_internals(path: Path) -> None:
    for problem in problems(path):
        assert not INTERNALS.search(problem), problem
