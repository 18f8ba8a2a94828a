"""The traffic registry (harness/model/traffic.py): one entry per traffic class, each with a
Locust user class, and the only place the harness learns the names of traffic classes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.assertions.evaluate import traffic_of
from harness.errors import InvalidInput
from harness.model.scenario import Check, load_scenario
from harness.model.traffic import INCIDENT_TRAFFIC, TRAFFIC_CLASSES

ROOT = Path(__file__).resolve().parents[3]
BROKEN = ROOT / "tests" / "data" / "broken"


def python(code: str) -> str:
    """Run `code` in a fresh interpreter: importing Locust monkey-patches the process."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_traffic_class_has_the_locust_user_class_it_names() -> None:
    found = python(
        "from harness.load.users import base_class\n"
        "from harness.model.traffic import TRAFFIC_CLASSES\n"
        "for name in TRAFFIC_CLASSES:\n"
        "    user = base_class(name)\n"
        "    print(name, f'{user.__module__}:{user.__qualname__}')\n"
    )
    named = {name: c.user for name, c in TRAFFIC_CLASSES.items()}
    assert dict(line.split(" ") for line in found.splitlines()) == named


def test_the_model_names_user_classes_without_importing_locust() -> None:
    found = python(
        "import sys\n"
        "import harness.model.scenario, harness.model.traffic\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('locust', 'gevent')))\n"
    )
    assert found.strip() == "[]"


def test_an_unknown_traffic_class_is_reported_at_its_line_with_the_known_ones() -> None:
    path = BROKEN / "unknown-traffic.yaml"
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.line) == (str(path), 10)
    assert "unknown traffic 'callers-0800'" in problem.message
    assert all(name in problem.message for name in TRAFFIC_CLASSES)


def test_exactly_one_class_has_its_calls_reconciled_with_the_incidents_and_it_is_112() -> None:
    reconciled = [c.name for c in TRAFFIC_CLASSES.values() if c.reconciled]
    assert reconciled == [INCIDENT_TRAFFIC] == ["callers-112"]
    having = [c.name for c in TRAFFIC_CLASSES.values() if "incidents_reconciled" in c.metrics]
    assert having == reconciled


def test_incidents_reconciled_looks_at_the_reconciled_class_unless_told_otherwise() -> None:
    check = Check("no incident lost", "incidents_reconciled", "==", 1.0)
    assert traffic_of(check) == INCIDENT_TRAFFIC


def test_every_caller_class_dials_a_number_and_no_other_class_does() -> None:
    for c in TRAFFIC_CLASSES.values():
        assert (c.protocol == "sip") == (c.number is not None), c.name
