"""`harness explore` as a user runs it, on the real local stack (Toxiproxy, mocks, Locust).

The coupled landscape (a meldkamer answers 112 only after a police-ICT lookup) must be found
and shrunk; the default landscape, searched within the same September bounds, must not be.
Budgets are the smallest that prove each point: about 12-28 s an example on 2 cores."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from harness.explore.runner import CONSOLE
from harness.model.source import load_yaml
from tests.e2e.conftest import SCENARIOS, Harness, fault_free, toxiproxy_of

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SCENARIO = SCENARIOS / "explore" / "september.yaml"
HIDDEN = SCENARIOS / "explore" / "hidden-coupling.yaml"  # no 112 assertion: any unexpected damage
COUPLED = SCENARIOS / "topologies" / "meldkamer-nl-coupled.yaml"


def examples(folder: Path) -> list[dict[str, object]]:
    lines = (folder / "examples.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_explore_finds_the_coupling_shrinks_it_and_the_reproducer_fails_again(
    harness: Harness, tmp_path: Path
) -> None:
    out = tmp_path / "search"
    args = ("explore", str(SCENARIO), "--topology", str(COUPLED), "--seed", "1", "--out")
    done = harness(*args, str(out), "--budget", "6", timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FOUND: '112 answered in every region'" in done.stderr  # progress: stderr
    tried = examples(out)
    assert 1 <= len(tried) <= 6  # the budget is a hard bound on runs
    failed = [t for t in tried if t["failed"]]
    first, smallest = failed[0], min(failed, key=lambda t: (t["faults"], t["window_seconds"]))
    assert (smallest["faults"], smallest["window_seconds"]) < (
        first["faults"],
        first["window_seconds"],
    )
    assert "police-ict" in str(smallest["schedule"])
    explanation = (out / "explanation.txt").read_text()
    assert "smallest failure" in explanation and "needs ≥ 99.9 %" in explanation

    again = harness("run", str(out / "reproducer.yaml"), "--report-dir", str(tmp_path / "rerun"))
    assert again.returncode == 1, again.stdout + again.stderr
    assert "112 answered in every region" in again.stdout + again.stderr

    # the example database (in the state folder) replays the known failure first
    replay = harness(*args, str(tmp_path / "second"), "--budget", "1", timeout=300)
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert examples(tmp_path / "second")[0]["failed"] is True


def test_none_found_against_the_default_landscape_is_said_plainly(
    harness: Harness, tmp_path: Path
) -> None:
    done = harness("explore", str(SCENARIO), "--budget", "2", "--seed", "1", "--out", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    said = " ".join((done.stdout + done.stderr).split())
    assert "none found within the budget: 2 examples run, every one passed" in said
    assert not (tmp_path / "reproducer.yaml").exists()


def test_unexpected_damage_as_the_target_finds_a_coupling_nobody_wrote_an_assertion_for(
    harness: Harness, tmp_path: Path
) -> None:
    assert "112" not in str(load_yaml(HIDDEN).data.get("assertions"))  # nobody wrote one
    found = harness(
        "explore", str(HIDDEN), "--topology", str(COUPLED), "--seed", "1", "--budget", "1",
        "--out", str(tmp_path / "coupled"),
    )  # fmt: skip
    assert found.returncode == 1, found.stdout + found.stderr
    assert "FOUND: 'no unexpected damage'" in found.stdout + found.stderr
    explanation = (tmp_path / "coupled" / "explanation.txt").read_text()
    assert "explore-1 hurt callers-112" in explanation  # the blast radius names 112's coupling
    assert "police-ict" in explanation

    again = harness("run", str(tmp_path / "coupled" / "reproducer.yaml"))
    assert again.returncode == 1, again.stdout + again.stderr
    assert "unexpected damage: explore-1 x callers-112" in " ".join(
        (again.stdout + again.stderr).split()
    )

    # as designed, the same schedule damages nothing it should not, and every cell is judged
    clean = harness(
        "explore", str(HIDDEN), "--seed", "1", "--budget", "1", "--out", str(tmp_path / "clean")
    )
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "none found within the budget: 1 example run" in " ".join(
        (clean.stdout + clean.stderr).split()
    )
    console = (tmp_path / "clean" / "examples" / "001" / CONSOLE).read_text()
    assert "no unexpected damage (5 of 5 cells judged)" in console


def test_ctrl_c_mid_search_removes_every_fault_and_keeps_what_was_run(
    stack_harness: Harness, tmp_path: Path
) -> None:
    h = stack_harness  # a kept stack: its proxies can be looked at after the search
    proc = h.start("explore", str(SCENARIO), "--seed", "1", "--budget", "6", "--out", str(tmp_path))
    client = toxiproxy_of(h)
    deadline = time.monotonic() + 120
    while fault_free(client):  # the second example's fault (the first's is a short one)
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "no example's fault ever appeared"
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    sent = time.monotonic()
    while not fault_free(client):
        assert time.monotonic() - sent < 1.0, "faults still applied one second after Ctrl-C"
        time.sleep(0.02)
    output = proc.communicate(timeout=60)[0]
    assert proc.returncode == 130, output
    assert "stopped by signal 2" in output
    assert (tmp_path / "examples.jsonl").exists()
    assert not (h.state_dir / "applied.json").exists()
