"""Traffic classes a scenario declares (docs/scenarios.md, generic traffic): each becomes a
traffic class like the built-ins, entering through a topology client, usable in assertions."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.errors import InvalidInput
from harness.model.scenario import Scenario, load_scenario
from harness.model.traffic import (
    CustomUser,
    HttpExchange,
    SipExchange,
    TcpExchange,
)
from harness.paths import scenarios_dir

ROOT = Path(__file__).resolve().parents[3]
TOPOLOGY = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"

LOAD = """
load:
  callers-112: 20/s
  router-calls:
    client: callers
    sip: {uri: "sip:112@sip-router", expect: [200, 486], hold: 1s}
    rate: 10/s
    regions: [rotterdam, zeeland-west-brabant]
    timeout: 500ms
  incident-api:
    client: office-users
    http: {method: POST, path: /incidents, body: {kind: fire}, expect: 201, json: {field: status, equals: accepted}}
    rate: 5/s
  heartbeat:
    client: radio-units
    tcp: {send: PING, expect: PONG}
    rate: 2/m
"""


def scenario(tmp_path: Path, load: str = LOAD, assertions: str = "") -> Scenario:
    path = tmp_path / "scenario.yaml"
    head = f"""
        version: 1
        name: generic
        topology: {TOPOLOGY}
        clock: {{start: 2020-09-17T00:00, end: 2020-09-18T00:00, replay: 60s}}
    """
    path.write_text(textwrap.dedent(head) + load + assertions, encoding="utf-8")
    return load_scenario(path)


def test_built_in_and_declared_classes_load_side_by_side_in_file_order(tmp_path: Path) -> None:
    loads = scenario(tmp_path).load
    assert [(x.traffic, x.rate) for x in loads] == [
        ("callers-112", 20.0), ("router-calls", 10.0), ("incident-api", 5.0), ("heartbeat", 2 / 60)
    ]  # fmt: skip
    assert loads[0].declared is None
    assert loads[0].traffic_class.number == "112"


def test_a_sip_class_calls_its_uri_and_counts_its_expected_codes_as_success(
    tmp_path: Path,
) -> None:
    calls = scenario(tmp_path).traffic_classes["router-calls"]
    assert (calls.client, calls.protocol, calls.user) == (
        "callers", "sip", "harness.load.generic:GenericSipUser"
    )  # fmt: skip
    assert calls.exchange == SipExchange("sip:112@sip-router", (200, 486), 1.0)
    assert (calls.regions, calls.regional, calls.timeout, calls.hold) == (
        ("rotterdam", "zeeland-west-brabant"), True, 0.5, 1.0
    )  # fmt: skip
    assert calls.success == "a final answer 200 or 486 to INVITE sip:112@sip-router"


def test_an_http_class_keeps_its_body_and_json_check_as_json_text(tmp_path: Path) -> None:
    api = scenario(tmp_path).traffic_classes["incident-api"]
    assert api.exchange == HttpExchange(
        "POST", "/incidents", '{"kind": "fire"}', (201,), "status", '"accepted"'
    )
    assert (api.regions, api.regional, api.timeout) == (None, False, None)


def test_a_tcp_class_sends_one_line_and_expects_one(tmp_path: Path) -> None:
    beat = scenario(tmp_path).traffic_classes["heartbeat"]
    assert (beat.protocol, beat.exchange) == ("tcp", TcpExchange("PING", "PONG"))


def test_a_custom_user_is_checked_in_a_child_and_found_beside_the_scenario(
    tmp_path: Path,
) -> None:
    (tmp_path / "crew.py").write_text("from locust import User\nclass Crew(User):\n    pass\n")
    load = "load:\n  crew: {client: office-users, user: 'crew:Crew', rate: 1/s}\n"
    crew = scenario(tmp_path, load).traffic_classes["crew"]
    assert (crew.protocol, crew.user) == ("user", "crew:Crew")
    assert isinstance(crew.exchange, CustomUser)
    assert crew.exchange.search[0] == str(tmp_path.resolve())
    assert str(Path.cwd().resolve()) in crew.exchange.search


def test_a_module_that_fails_on_import_is_reported_with_its_error(tmp_path: Path) -> None:
    (tmp_path / "broken_crew.py").write_text("raise RuntimeError('no config file')\n")
    load = "load:\n  crew:\n    client: office-users\n    user: broken_crew:Crew\n    rate: 1/s\n"
    with pytest.raises(InvalidInput) as caught:
        scenario(tmp_path, load)
    (problem,) = caught.value.problems
    assert problem.line == 9
    assert "cannot import module broken_crew: RuntimeError: no config file" in problem.message


def test_declared_classes_are_usable_in_assertions_and_per_region_when_regional(
    tmp_path: Path,
) -> None:
    assertions = """
assertions:
  - {metric: success_ratio, traffic: router-calls, per: region, ">=": 0.99}
  - {metric: latency, traffic: incident-api, percentile: 95, "<=": 200ms}
  - {metric: max_gap, traffic: heartbeat, "<=": 2s}
  - {metric: requests, traffic: router-calls, region: rotterdam, ">=": 10}
"""
    checks = scenario(tmp_path, assertions=assertions).assertions
    assert [(c.metric, c.traffic) for c in checks] == [
        ("success_ratio", "router-calls"), ("latency", "incident-api"),
        ("max_gap", "heartbeat"), ("requests", "router-calls"),
    ]  # fmt: skip


def test_a_declared_class_measured_where_it_has_no_users_is_invalid(tmp_path: Path) -> None:
    assertions = """
assertions:
  - {metric: success_ratio, traffic: router-calls, region: noord-holland, ">=": 0.99}
  - {metric: via_ratio, traffic: incident-api, via: console, ">=": 0.5}
"""
    with pytest.raises(InvalidInput) as caught:
        scenario(tmp_path, assertions=assertions)
    messages = [p.message for p in caught.value.problems]
    assert messages == [
        "assertions.0.region: traffic router-calls has no users in noord-holland",
        "assertions.1.metric: metric via_ratio does not apply to incident-api "
        "(it does to: dispatchers)",
    ]


def test_regions_pick_each_regions_link_when_the_client_has_several(tmp_path: Path) -> None:
    load = """load:
  dispatch-api:
    client: dispatchers
    http: {method: POST, path: /dispatch, body: {incident: i, unit: u}}
    rate: 2/s
    regions: [rotterdam]
"""
    api = scenario(tmp_path, load).traffic_classes["dispatch-api"]
    assert api.regions == ("rotterdam",)


def test_the_schema_describes_declared_classes() -> None:
    schema = json.loads((ROOT / "docs" / "scenario.schema.json").read_text())
    traffic = schema["$defs"]["Traffic"]
    assert {"client", "sip", "http", "tcp", "user", "rate", "regions", "timeout"} <= set(
        traffic["properties"]
    )


def test_every_generic_protocol_names_a_real_locust_user_class() -> None:
    code = (
        "import importlib\n"
        "from locust import User\n"
        "from harness.model.resolve_load import GENERIC_USERS\n"
        "for path in GENERIC_USERS.values():\n"
        "    module, _, name = path.partition(':')\n"
        "    assert issubclass(getattr(importlib.import_module(module), name), User), path\n"
        "print(len(GENERIC_USERS))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert (done.returncode, done.stdout.strip()) == (0, "3"), done.stderr
