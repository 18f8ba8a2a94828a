"""JSON Schema of the scenario language, for editors (YAML language servers) and CI linting.

    python -m harness.model.schema > docs/scenario.schema.json     (make schema)

Generated from ScenarioFile with the keys as people write them (`from`, `>=`), and the values
our validators accept described as they are written: durations (`20m`), rates (`20/s`) and
times (`2020-09-17T11:30` or `+90m`), not as the floats they become.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from harness.model import scenario_file
from harness.model.duration import parse_duration
from harness.model.toxics import STREAMS, TOXICS

DURATION = r"^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d)\s*)+$"
RATE = r"^\s*\d+(\.\d+)?\s*/\s*(s|m|h)\s*$"
TIME = r"^(\+.+|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)$"

_WRITTEN: dict[Any, JsonSchemaValue] = {
    parse_duration: {
        "description": "a duration: 500ms, 90s, 20m, 3h, 2d, 1h30m, or a number of seconds",
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": DURATION}],
    },
    scenario_file.parse_rate: {
        "description": "arrivals per wall-clock second: 20/s, 120/m, or a number per second",
        "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": RATE}],
    },
    scenario_file.parse_time_point: {
        "description": "scenario time: 2020-09-17T11:30, or an offset from clock.start: +90m",
        "type": "string",
        "pattern": TIME,
    },
}

TOXIC_ATTRIBUTE: JsonSchemaValue = {
    "description": "a toxic attribute (see docs/scenarios.md): a number in Toxiproxy's unit, "
    "or a duration for time attributes",
    "anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": DURATION}],
}


class _AsWritten(GenerateJsonSchema):
    def function_before_schema(
        self, schema: core_schema.BeforeValidatorFunctionSchema
    ) -> JsonSchemaValue:
        written = _WRITTEN.get(schema["function"]["function"])
        if written is not None:
            return dict(written)
        return super().function_before_schema(schema)


def _renamed(node: Any, names: dict[str, str]) -> Any:
    """ClockFile -> Clock, everywhere: editors show these names to people."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                prefix, _, name = value.rpartition("/")
                out[key] = f"{prefix}/{names.get(name, name)}"
            elif key == "title" and isinstance(value, str):
                out[key] = names.get(value, value)
            else:
                out[key] = _renamed(value, names)
        return out
    if isinstance(node, list):
        return [_renamed(item, names) for item in node]
    return node


def scenario_schema() -> dict[str, Any]:
    raw = scenario_file.ScenarioFile.model_json_schema(
        by_alias=True, mode="validation", schema_generator=_AsWritten
    )
    defs = raw.get("$defs", {})
    action = defs["ActionFile"]
    action["additionalProperties"] = TOXIC_ATTRIBUTE
    for key, allowed in (
        ("toxic", list(TOXICS)),
        ("process", list(scenario_file.PROCESS_ACTIONS)),
        ("container", list(scenario_file.PROCESS_ACTIONS)),
        ("stream", list(STREAMS)),
    ):
        action["properties"][key] = {"title": key.title(), "enum": allowed}
    names = {name: name.removesuffix("File") for name in defs}
    raw["$defs"] = {names[k]: v for k, v in defs.items()}
    raw = _renamed(raw, names)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/dispatch-chaos/dispatch-chaos/docs/scenario.schema.json",
        **raw,
        "title": "dispatch-chaos scenario, version 1",
        "description": "A chaos scenario: faults on a dispatch topology over a compressed "
        "clock, and the assertions the run must hold. Reference: docs/scenarios.md.",
    }


def main() -> None:
    print(json.dumps(scenario_schema(), indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
