"""Issue 13: `harness run --backend external --stack my-stack.yaml` against a team's own stack
behind the team's own Toxiproxy.

The "team" here is a local stack of the mini topology (its services) and a Toxiproxy of the
test's own, holding the team's proxies before the harness arrives: `team-112-entry` (the entry
the callers use, with a small latency toxic of the team's) and `team-db` (nothing to do with the
topology, with a toxic of its own). The harness must hit the entry with its fault, leave every
team proxy and toxic exactly as it found them, and take all of its own away on cleanup.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from harness import procs
from harness.model.stack import StackInfo
from harness.toxiproxy.client import ToxiproxyClient
from tests.e2e.conftest import ROOT, Harness, summary

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MINI = ROOT / "tests" / "data" / "external" / "mini.yaml"
SCENARIO = """\
version: 1
name: external-entry-down
description: 112 calls through the team's entry proxy, which the harness takes down for a while.
topology: {topology}
clock: {{start: 2026-01-05T08:00, end: 2026-01-05T08:10, replay: 4s}}
seed: 3
load: {{callers-112: 10/s}}
faults:
  - name: entry-down
    target: {{link: callers->telephony}}
    action: {{toxic: down}}
    when: {{from: +3m, until: +7m}}
  - name: slow-route
    target: {{link: telephony->meldkamer-rotterdam}}
    action: {{toxic: latency, latency: 50ms}}
    when: {{from: +0m, until: +10m}}
assertions:
  - {{name: every 112 call answered, metric: success_ratio, traffic: callers-112, ">=": 0.99}}
"""


@pytest.fixture(scope="module")
def team_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackInfo]:
    """The team's services: the mini topology brought up by the local backend."""
    h = Harness(tmp_path_factory.mktemp("team") / "state")
    up = h("up", "--topology", str(MINI), timeout=120)
    assert up.returncode == 0, up.stdout + up.stderr
    try:
        yield h.stack
    finally:
        down = h("down", timeout=60)
        assert down.returncode == 0, down.stdout + down.stderr


def team_proxies(toxiproxy: ToxiproxyClient, services: StackInfo) -> None:
    """What the team has in its Toxiproxy before the harness comes."""
    telephony_sip = services.services["telephony"].endpoints["sip"]
    toxiproxy.create_proxy("team-112-entry", f"127.0.0.1:{procs.free_port()}", telephony_sip)
    toxiproxy.add_toxic("team-112-entry", "team-jitter", "latency", attributes={"latency": 1})
    toxiproxy.create_proxy("team-db", f"127.0.0.1:{procs.free_port()}", "127.0.0.1:5432")
    toxiproxy.add_toxic("team-db", "team-latency", "latency", "upstream", 0.5, {"latency": 80})


def stack_file(path: Path, toxiproxy: ToxiproxyClient, services: StackInfo, **links: str) -> Path:
    entry = links.get("entry", "team-112-entry")
    lines = [
        "version: 1",
        f"topology: {MINI}",
        f"toxiproxy: {toxiproxy.api}",
        "proxies: {prefix: dc-}",
        "links:",
        f"  callers->telephony: {{proxy: {entry}}}",
        f"  telephony->meldkamer-rotterdam: {{listen: 127.0.0.1:{procs.free_port()}}}",
        f"  meldkamer-rotterdam->gms: {{listen: 127.0.0.1:{procs.free_port()}}}",
        "services:",
    ]
    health = {"telephony": "sip OPTIONS", "meldkamer-rotterdam": "tcp"}
    for name, svc in services.services.items():
        endpoints = ", ".join(f"{k}: {v}" for k, v in svc.endpoints.items())
        check = f", health: {health[name]}" if name in health else ""
        lines.append(f"  {name}: {{endpoints: {{{endpoints}}}{check}}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def raw_proxies(toxiproxy: ToxiproxyClient) -> dict[str, Any]:
    """GET /proxies as Toxiproxy answers it."""
    answer: dict[str, Any] = requests.get(f"http://{toxiproxy.api}/proxies", timeout=5).json()
    return answer


def team_part(toxiproxy: ToxiproxyClient) -> str:
    """The team's proxies, toxics included, byte for byte."""
    raw = raw_proxies(toxiproxy)
    return json.dumps({k: v for k, v in raw.items() if k.startswith("team-")}, sort_keys=True)


def harness_leftovers(toxiproxy: ToxiproxyClient) -> list[str]:
    raw = raw_proxies(toxiproxy)
    proxies = [name for name in raw if name.startswith("dc-")]
    toxics = [t["name"] for p in raw.values() for t in p["toxics"] if t["name"].startswith("dc.")]
    return proxies + toxics


def test_a_run_hits_the_teams_proxy_and_leaves_everything_of_the_teams_as_it_was(
    toxiproxy: ToxiproxyClient, team_services: StackInfo, harness: Harness, tmp_path: Path
) -> None:
    team_proxies(toxiproxy, team_services)
    before = team_part(toxiproxy)
    stack = stack_file(tmp_path / "my-stack.yaml", toxiproxy, team_services)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(topology=MINI), encoding="utf-8")
    report = tmp_path / "report"

    run = harness(
        "run", str(scenario), "--backend", "external", "--stack", str(stack),
        "--report-dir", str(report), timeout=120,
    )  # fmt: skip

    assert run.returncode == 1, run.stdout + run.stderr  # the entry was down: not every call
    data = summary(report)
    assert data["verdict"] == "failed"
    (outcome,) = data["assertions"]  # type: ignore[misc]
    assert 0.3 < outcome["observed"] < 0.95  # calls got through before and after, not during
    applied = _transitions(report)
    assert {"entry-down", "slow-route"} <= applied
    assert team_part(toxiproxy) == before
    # the harness's proxies stay for the next run (the team's services use them) ...
    kept = sorted(name for name in raw_proxies(toxiproxy) if name.startswith("dc-"))
    assert kept == ["dc-meldkamer-rotterdam->gms", "dc-telephony->meldkamer-rotterdam"]
    assert not [t for t in harness_leftovers(toxiproxy) if t.startswith("dc.")]

    status = harness("status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    shown = {p["name"]: p for p in json.loads(status.stdout)["proxies"]}
    assert shown["callers->telephony"]["proxy"] == "team-112-entry"
    assert shown["callers->telephony"]["team"] and shown["callers->telephony"]["present"]
    assert [t["name"] for t in shown["callers->telephony"]["toxics"]] == ["team-jitter"]
    assert all(s["alive"] for s in json.loads(status.stdout)["services"])

    # ... until cleanup, which takes only the harness's away
    cleanup = harness("cleanup")
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert harness_leftovers(toxiproxy) == []
    assert team_part(toxiproxy) == before
    assert sorted(raw_proxies(toxiproxy)) == ["team-112-entry", "team-db"]

    toxiproxy.delete_proxy("team-112-entry")  # the team removes its entry: status says so
    status = harness("status")
    assert status.returncode == 3, status.stdout + status.stderr
    assert "the team's proxy 'team-112-entry' is not in Toxiproxy" in status.stderr

    down = harness("down")
    assert down.returncode == 0, down.stdout + down.stderr
    assert sorted(raw_proxies(toxiproxy)) == ["team-db"]


def _transitions(report: Path) -> set[str]:
    """The faults the journal says were applied."""
    applied = set()
    for line in (report / "journal.jsonl").read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        if event.get("kind") == "transition" and event["on"] and event["ok"]:
            applied.add(str(event.get("fault")))
    return applied


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("team-absent", "the team's proxy 'team-absent' is not in"),
        ("team-112-entry", "proxy 'dc-meldkamer-rotterdam->gms' exists"),
    ],
    ids=["missing-team-proxy", "colliding-created-proxy"],
)
def test_a_missing_or_colliding_proxy_stops_the_run_with_exit_3_before_anything_changes(
    toxiproxy: ToxiproxyClient, team_services: StackInfo, harness: Harness, tmp_path: Path,
    entry: str, message: str,
) -> None:  # fmt: skip
    team_proxies(toxiproxy, team_services)
    toxiproxy.create_proxy("dc-meldkamer-rotterdam->gms", "127.0.0.1:1", "10.0.0.9:80")
    before = raw_proxies(toxiproxy)
    stack = stack_file(tmp_path / "my-stack.yaml", toxiproxy, team_services, entry=entry)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO.format(topology=MINI), encoding="utf-8")

    run = harness("run", str(scenario), "--backend", "external", "--stack", str(stack))

    assert run.returncode == 3, run.stdout + run.stderr
    assert message in run.stderr
    assert "Traceback" not in run.stderr
    assert raw_proxies(toxiproxy) == before
