"""docs/scenario.schema.json: current, written in the keys people use, and it agrees with the
loader on what a well-formed scenario looks like."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from harness.model.schema import scenario_schema
from harness.model.source import load_yaml
from tests.prerequisites import missing

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "docs" / "scenario.schema.json"
VALID = Path(__file__).with_name("valid.yaml")


def test_the_committed_schema_is_current() -> None:
    current = json.dumps(scenario_schema(), indent=2, sort_keys=True) + "\n"
    assert COMMITTED.read_text(encoding="utf-8") == current, "run `make schema`"


def test_the_schema_uses_the_keys_as_written_and_no_internal_names() -> None:
    schema = scenario_schema()
    defs = schema["$defs"]
    assert "from" in defs["Window"]["properties"]
    assert {">=", "<=", "==", "<", ">"} <= set(defs["Check"]["properties"])
    assert not [name for name in defs if name.endswith("File")]
    assert "File" not in json.dumps(schema).replace("file", "")


def validator() -> Any:
    try:
        import jsonschema
    except ImportError:
        missing("jsonschema (Python package)", "pip install jsonschema; a dev dependency")
    return jsonschema.Draft202012Validator(scenario_schema())


def test_the_schema_accepts_a_valid_scenario_and_its_durations_rates_and_times() -> None:
    errors = [e.message for e in validator().iter_errors(load_yaml(VALID).data)]
    assert errors == []


SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_the_schema_accepts_the_shipped_scenarios(path: Path) -> None:
    errors = [e.message for e in validator().iter_errors(load_yaml(path).data)]
    assert errors == []


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (("replay: 90s", "replay: 90 seconds"), "90 seconds"),
        (("seed: 20200915", "sead: 20200915"), "sead"),
        (("{toxic: down}", "{toxic: dwon}"), "dwon"),
        (("callers-112: 20/s", "callers-112: lots"), "lots"),
    ],
)
def test_the_schema_rejects_what_the_loader_rejects(change: tuple[str, str], needle: str) -> None:
    from harness.model.source import parse_yaml

    text = VALID.read_text(encoding="utf-8").replace(*change)
    errors = [e.message for e in validator().iter_errors(parse_yaml(text, "x.yaml").data)]
    assert any(needle in message for message in errors), errors
