"""Locust workers in containers on the compose network: `harness run --backend compose
--workers 2` runs the master in the harness on the network's gateway, two worker containers
send baseline's calls to the in-network proxies, and ONE journal at the master holds every
request Locust counted, from both workers; no container is left afterwards."""

from __future__ import annotations

import csv
import io
import json
import socket
from pathlib import Path

import docker
import pytest
from rich.console import Console

from harness.backends.build_images import build_images
from harness.backends.compose import DEFAULT_PROJECT
from harness.journal import Request, read_events
from tests.e2e.conftest import SCENARIOS, Harness, summary
from tests.prerequisites import need_docker

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def locust_request_count(report: Path) -> int:
    with (report / "locust_stats.csv").open() as rows:
        return next(
            int(r["Request Count"]) for r in csv.DictReader(rows) if r["Name"] == "Aggregated"
        )


def project_containers() -> list[str]:
    client = docker.from_env()
    try:
        label = {"label": f"com.docker.compose.project={DEFAULT_PROJECT}"}
        return [c.name for c in client.containers.list(all=True, filters=label)]
    finally:
        client.close()


def test_two_worker_containers_fill_one_journal_at_the_master(tmp_path: Path) -> None:
    need_docker()
    build_images(console=Console(file=io.StringIO()))
    report = tmp_path / "report"
    run = Harness(tmp_path / "state")(
        "run", str(SCENARIOS / "baseline.yaml"), "--backend", "compose", "--duration", "7",
        "--workers", "2", "--report-dir", str(report), timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert summary(report)["verdict"] == "passed"
    ready = json.loads((report / "load-ready.json").read_text())
    assert ready["workers"] == 2
    reqs = [e for e in read_events(report / "journal.jsonl") if isinstance(e, Request)]
    assert len(reqs) == locust_request_count(report) > 0
    workers = {r.worker for r in reqs}
    assert len(workers) == 2 and None not in workers, workers
    # Locust names a worker after its host: a container's, not this machine's
    assert not any(str(w).startswith(socket.gethostname() + "_") for w in workers)
    assert sorted(p.name for p in report.glob("*-load-worker-*.log")) == [
        f"{DEFAULT_PROJECT}-load-worker-1.log",
        f"{DEFAULT_PROJECT}-load-worker-2.log",
    ]
    assert project_containers() == []
