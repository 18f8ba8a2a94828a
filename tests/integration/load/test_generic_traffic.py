"""Traffic classes a scenario declares, run by the real Locust subprocess through real Toxiproxy
proxies against servers that are no mocks (SIPp's UAS, a plain HTTP API, a TCP line server),
and a team's own Locust users: every request is journaled under its class like a built-in's,
a success when the answer is the expected one and a failure, saying why, when it is not."""

from __future__ import annotations

import shutil
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.assertions.evaluate import evaluate
from harness.assertions.view import JournalView
from harness.journal import Request
from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner
from harness.model.scenario import Scenario, load_scenario
from harness.model.stack import ProxyInfo, StackInfo
from harness.paths import scenarios_dir
from harness.report.traffic import traffic_totals
from harness.toxiproxy.client import ToxiproxyClient
from tests.integration.load.generic_servers import Heard, incident_api, line_server, sipp_uas
from tests.integration.load.runs import finish

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOPOLOGY = scenarios_dir() / "topologies" / "meldkamer-nl.yaml"
TEAM_USERS = Path(__file__).resolve().parents[2] / "data" / "users" / "team_users.py"
DURATION = 3.0

SCENARIO = f"""
version: 1
name: generic-traffic
topology: {TOPOLOGY}
clock: {{start: 2020-09-17T00:00, end: 2020-09-18T00:00, replay: 60s}}
load:
  router-calls:
    client: callers
    sip: {{uri: "sip:112@sip-router", expect: [200]}}
    rate: 4/s
    regions: [rotterdam, zeeland-west-brabant]
    timeout: 1s
  busy-calls:                       # SIPp answers 200: not what this class expects
    client: callers
    sip: {{uri: "sip:088@sip-router", expect: [486]}}
    rate: 2/s
  incident-api:
    client: office-users
    http: {{method: POST, path: /incidents, body: {{kind: fire}}, expect: 201, json: {{field: status, equals: accepted}}}}
    rate: 4/s
    regions: [rotterdam]
  queued-api:                       # answered 201, but queued
    client: office-users
    http: {{method: POST, path: /incidents, body: {{kind: flood}}, expect: 201, json: {{field: status, equals: accepted}}}}
    rate: 2/s
  missing-api:                      # 404
    client: office-users
    http: {{path: /nowhere}}
    rate: 2/s
  heartbeat:
    client: radio-units
    tcp: {{send: PING, expect: PONG}}
    rate: 4/s
  wrong-line:                       # ERR unknown
    client: radio-units
    tcp: {{send: HELLO, expect: PONG}}
    rate: 2/s
  pingers:
    client: radio-units
    user: team_users:PingUser
    rate: 3/s
  pages:
    client: office-users
    user: team_users:PageUser
    rate: 2/s
assertions:
  - {{metric: success_ratio, traffic: router-calls, per: region, ">=": 0.99}}
  - {{metric: success_ratio, traffic: busy-calls, "<=": 0.0}}
  - {{metric: latency, traffic: incident-api, percentile: 95, "<=": 1s}}
  - {{metric: max_gap, traffic: heartbeat, "<=": 1.5s}}
  - {{metric: requests, traffic: pingers, ">=": 5}}
"""


@pytest.fixture
def world(toxiproxy: ToxiproxyClient) -> Iterator[tuple[StackInfo, Heard]]:
    """The three servers behind a real proxy for each client link the scenario uses."""
    heard = Heard()
    with sipp_uas() as sip, incident_api(heard) as http, line_server(heard) as line:
        upstream = {"callers->telephony": sip, "office-users->office": http,
                    "radio-units->c2000": line}  # fmt: skip
        proxies = {}
        for link, address in upstream.items():
            state = toxiproxy.create_proxy(link, "127.0.0.1:0", address)
            proxies[link] = ProxyInfo(link, state.listen, state.upstream)
        yield StackInfo("local", str(TOPOLOGY), toxiproxy.api, {}, proxies), heard


def scenario(tmp_path: Path) -> Scenario:
    """The scenario in its own folder, with the team's user module beside it."""
    folder = tmp_path / "scenario"
    folder.mkdir()
    shutil.copy(TEAM_USERS, folder / TEAM_USERS.name)
    path = folder / "generic.yaml"
    path.write_text(textwrap.dedent(SCENARIO), encoding="utf-8")
    return load_scenario(path)


def test_declared_classes_and_a_teams_own_users_are_journaled_and_judged_by_their_answers(
    world: tuple[StackInfo, Heard], tmp_path: Path
) -> None:
    stack, heard = world
    plan = scenario(tmp_path)
    runner = LoadRunner(
        plan, stack, tmp_path / "journal.jsonl", tmp_path / "report",
        wall_start=time.time() + 3.0, duration=DURATION, options=LoadOptions(timeout=1.0),
    ).start()  # fmt: skip
    reqs = finish(runner)

    by_class = Counter(r.traffic for r in reqs)
    for load in plan.load:
        expected = load.rate * DURATION
        assert 0.6 * expected <= by_class[load.traffic] <= 1.4 * expected, (load, by_class)
    for r in reqs:
        assert runner.config.wall_start <= r.wall < runner.config.end
        assert r.t == pytest.approx((r.wall - runner.config.wall_start) * plan.clock.factor)

    def of(traffic: str) -> list[Request]:
        return [r for r in reqs if r.traffic == traffic]

    for good in ("router-calls", "incident-api", "heartbeat", "pingers", "pages"):
        assert [(r.ok, r.error) for r in of(good) if not r.ok or r.error] == [], good
    assert {r.error for r in of("busy-calls")} == {"unexpected 200 (expected 486)"}
    assert {r.error for r in of("queued-api")} == {'status is "queued", expected "accepted"'}
    assert {r.error for r in of("missing-api")} == {"HTTP 404 (expected 200)"}
    assert {r.error for r in of("wrong-line")} == {"unexpected reply 'ERR unknown' (expected 'PONG')"}  # fmt: skip
    assert not any(r.ok for r in of("busy-calls") + of("queued-api") + of("missing-api") + of("wrong-line"))  # fmt: skip

    calls = of("router-calls")
    assert {r.region for r in calls} == {"rotterdam", "zeeland-west-brabant"}
    assert len({r.call_id for r in calls}) == len(calls)
    assert {r.name for r in calls} == {
        "INVITE sip:112@sip-router rotterdam", "INVITE sip:112@sip-router zeeland-west-brabant"
    }  # fmt: skip
    assert {r.region for r in of("incident-api")} == {"rotterdam"}
    assert Counter(region for method, _, region in heard.http if method == "POST") == {
        "rotterdam": by_class["incident-api"], None: by_class["queued-api"]
    }  # fmt: skip
    assert heard.lines.count("PING") == by_class["heartbeat"] + by_class["pingers"]

    # the team's users: journaled under their class, their own context kept, no region
    assert {(r.name, r.via, r.region) for r in of("pingers")} == {("ping", "team", None)}
    assert {r.name for r in of("pages")} == {"/status"}
    assert ("GET", "/status", None) in heard.http

    outcomes = evaluate(plan.assertions, reqs)
    assert [(o.name, o.passed) for o in outcomes if not o.passed] == []
    per_region = outcomes[0]
    assert {ro.region for ro in per_region.regions} == {"rotterdam", "zeeland-west-brabant"}
    totals = {t.traffic: t for t in traffic_totals(JournalView(reqs))}
    assert set(totals) == {load.traffic for load in plan.load}
    assert totals["busy-calls"].success_ratio == 0.0
