"""Locust workers that join from elsewhere (`harness worker --master HOST:PORT`): the master
waits for all of them, and every request they make reaches its one journal through Locust's
messaging - no shared file (here on 127.0.0.1; docs/scale.md for other hosts)."""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

import pytest

from harness import procs
from harness.errors import InfrastructureError
from harness.load.config import LoadOptions
from harness.load.runner import LoadRunner
from tests.integration.load.conftest import LoadWorld
from tests.integration.load.runs import finish
from tests.unit.load import world

pytestmark = [pytest.mark.integration, pytest.mark.slow]
HARNESS = str(Path(sys.executable).with_name("harness"))


def locust_request_count(report: Path) -> int:
    with (report / "locust_stats.csv").open() as rows:
        return next(
            int(r["Request Count"]) for r in csv.DictReader(rows) if r["Name"] == "Aggregated"
        )


def two_workers_at(
    port: int, load_world: LoadWorld, tmp_path: Path, rates: dict[str, float], **extra: float
) -> LoadRunner:
    """A 3 s load whose master on 127.0.0.1:`port` waits for two `harness worker`s."""
    return LoadRunner(
        world.scenario(rates, replay=60.0),
        load_world.stack,
        tmp_path / "journal.jsonl",
        tmp_path / "report",
        wall_start=time.time() + 1.0,
        duration=3.0,
        options=LoadOptions(timeout=1.0),
        workers=2,
        bind=("127.0.0.1", port),
        **extra,
    )


def test_two_workers_from_elsewhere_journal_every_request_through_the_master(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    port = procs.free_port()
    workers = [procs.spawn([HARNESS, "worker", "--master", f"127.0.0.1:{port}"]) for _ in range(2)]
    try:
        runner = two_workers_at(
            port, load_world, tmp_path, {"callers-112": 10.0, "radio-units": 5.0}
        ).start()
        reqs = finish(runner)
        for proc in workers:  # the master ended them
            assert proc.wait(timeout=15) == 0
    finally:
        for proc in workers:
            procs.stop(proc)
    ready = json.loads((tmp_path / "report" / "load-ready.json").read_text())
    assert ready["workers"] == 2
    assert len(reqs) == locust_request_count(tmp_path / "report") > 0
    assert min(r.wall for r in reqs) >= ready["wall_start"]
    assert len({r.worker for r in reqs}) == 2 and None not in {r.worker for r in reqs}


def test_too_few_workers_end_the_load_as_an_error_naming_how_many_joined(
    load_world: LoadWorld, tmp_path: Path
) -> None:
    port = procs.free_port()
    worker = procs.spawn([HARNESS, "worker", "--master", f"127.0.0.1:{port}"])
    runner = two_workers_at(port, load_world, tmp_path, {"callers-112": 10.0}, ready_wait=8.0)
    try:
        with pytest.raises(InfrastructureError) as raised:
            runner.start()
    finally:
        procs.stop(worker)
    assert raised.value.exit_code == 3
    assert str(raised.value).startswith(
        f"1 of 2 Locust workers joined the master at 127.0.0.1:{port} within 8 s"
    )
    assert not runner.running()
