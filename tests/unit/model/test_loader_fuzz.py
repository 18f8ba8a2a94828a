"""Whatever a person (or a fuzzer) writes, the loader answers with a Scenario or InvalidInput,
never another exception."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from harness.errors import InvalidInput
from harness.model.scenario import build_scenario
from harness.model.source import parse_yaml

VALID = Path(__file__).with_name("valid.yaml")
TEXT = VALID.read_text(encoding="utf-8")
BASE = VALID.parent
# DC_FUZZ_EXAMPLES=2000 pytest tests/unit/model/test_loader_fuzz.py fuzzes deeper.
EXAMPLES = int(os.environ.get("DC_FUZZ_EXAMPLES", "80"))
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def load(text: str) -> None:
    """Load; any exception but InvalidInput fails the test, and InvalidInput must say where."""
    try:
        build_scenario(parse_yaml(text, "fuzz.yaml"), BASE)
    except InvalidInput as exc:
        problems = exc.problems
    else:
        return
    assert problems
    assert all(p.file and p.message for p in problems)


def test_the_valid_scenario_loads() -> None:
    load(TEXT)


yaml_tokens = st.sampled_from(
    [": ", "- ", "\n", "  ", "{", "}", "[", "]", ", ", "&a ", "*a", "!!str ", "!tag ", "? ",
     "'", '"', "#", "|", ">", "~", "null", "1e400", ".nan", "-1", "2020-09-15", "20m", "0x1F",
     "version", "faults", "name", "clock", "target", "action", "pattern", "flap", "ramp", "toxic"]
)  # fmt: skip


@FAST
@given(st.text(max_size=200))
def test_any_text_is_a_scenario_or_invalid_input(text: str) -> None:
    load(text)


@FAST
@given(st.lists(yaml_tokens, max_size=60).map("".join))
def test_yaml_ish_text_is_a_scenario_or_invalid_input(text: str) -> None:
    load(text)


@FAST
@given(st.data())
def test_line_mutations_of_a_valid_scenario_are_a_scenario_or_invalid_input(
    data: st.DataObject,
) -> None:
    lines = TEXT.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    op = data.draw(st.sampled_from(["delete", "duplicate", "insert", "indent", "truncate"]))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "insert":
        j = data.draw(st.integers(0, len(lines[i])))
        lines[i] = lines[i][:j] + data.draw(st.text(max_size=5)) + lines[i][j:]
    elif op == "indent":
        lines[i] = "  " + lines[i]
    else:
        lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
    load("\n".join(lines))


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["20m", "+1h", "2020-09-16T08:00", "down", "latency", "*->gms", "steady", "0"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*path, i))
    return out


def dump(data: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


ORIGINAL = parse_yaml(TEXT, "valid.yaml").data


@FAST
@given(st.data())
def test_value_mutations_of_a_valid_scenario_are_a_scenario_or_invalid_input(
    data: st.DataObject,
) -> None:
    import copy

    doc = copy.deepcopy(ORIGINAL)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths(doc)[1:]))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        op = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = data.draw(values)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.text(max_size=8))] = data.draw(values)
        else:
            parent.append(data.draw(values))
    load(dump(doc))
