"""One run per stack: a second run is refused while the first lives, a dead run's lock is
taken over, and a run that brought its own stack up does not block another run."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from harness import procs
from harness.backends.lock import LOCK_FILE, Holder, StackBusy, StackLock, holder_of
from harness.stacks import claim_stack

HOLD = """
import sys, time
from pathlib import Path
from harness.backends.lock import Holder, StackLock
StackLock(Path(sys.argv[1])).acquire(Holder.this_run("held-elsewhere", own_stack=False))
print("locked", flush=True)
time.sleep(60)
"""


def _holding_process(state_dir: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state_dir)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_the_lock_file_names_its_holder_and_goes_with_release(tmp_path: Path) -> None:
    holder = Holder.this_run("september-2020", own_stack=False)
    lock = StackLock(tmp_path).acquire(holder)
    assert json.loads((tmp_path / LOCK_FILE).read_text())["scenario"] == "september-2020"
    assert holder_of(tmp_path) == holder
    lock.release()
    assert not (tmp_path / LOCK_FILE).exists()
    assert holder_of(tmp_path) is None


def test_a_second_lock_on_a_held_stack_is_refused_naming_pid_scenario_and_start(
    tmp_path: Path,
) -> None:
    first = Holder.this_run("september-2020", own_stack=False)
    with StackLock(tmp_path).acquire(first), pytest.raises(StackBusy) as refused:
        StackLock(tmp_path).acquire(Holder.this_run("baseline", own_stack=False))
    assert refused.value.holder == first
    message = str(refused.value)
    assert f"pid {first.pid}" in message and "september-2020" in message
    assert first.started in message
    assert refused.value.exit_code == 3


def test_a_lock_held_by_another_live_process_is_refused(tmp_path: Path) -> None:
    proc = _holding_process(tmp_path)
    try:
        with pytest.raises(StackBusy) as refused:
            StackLock(tmp_path).acquire(Holder.this_run("baseline", own_stack=False))
        assert refused.value.holder is not None and refused.value.holder.pid == proc.pid
    finally:
        proc.kill()
        proc.communicate()


def test_the_lock_of_a_run_killed_with_9_is_stale_and_taken_over(tmp_path: Path) -> None:
    proc = _holding_process(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert (tmp_path / LOCK_FILE).exists()  # kill -9 leaves the file behind
    assert holder_of(tmp_path) is None  # but nobody holds it
    with StackLock(tmp_path) as lock:
        lock.acquire(Holder.this_run("baseline", own_stack=False))
        assert lock.stale is not None and lock.stale.pid == proc.pid
        assert lock.stale.scenario == "held-elsewhere"
        assert not procs.alive(proc.pid)


def test_a_garbled_lock_file_is_taken_over_without_a_holder(tmp_path: Path) -> None:
    (tmp_path / LOCK_FILE).write_text("not json")
    with StackLock(tmp_path) as lock:
        lock.acquire(Holder.this_run("baseline", own_stack=False))
        assert lock.stale is None
        assert holder_of(tmp_path) is not None


def _topology(tmp_path: Path) -> Path:
    return tmp_path / "topology.yaml"  # only compared by path: no stack is started here


def test_claiming_a_stack_held_by_a_run_on_a_kept_stack_is_refused(tmp_path: Path) -> None:
    with (
        StackLock(tmp_path).acquire(Holder.this_run("first", own_stack=False)),
        pytest.raises(StackBusy),
        claim_stack("local", _topology(tmp_path), tmp_path, None, "second"),
    ):
        pass  # never reached: claiming raises


def test_a_run_beside_one_that_brought_its_own_stack_gets_a_private_folder(
    tmp_path: Path,
) -> None:
    with StackLock(tmp_path).acquire(Holder.this_run("first", own_stack=True)):
        with claim_stack("local", _topology(tmp_path), tmp_path, None, "second") as (place, _lock):
            assert place.private and place.kept is None
            assert place.state_dir.parent == tmp_path / "runs"
            assert holder_of(place.state_dir) is not None
        assert not (place.state_dir / LOCK_FILE).exists()


def test_claiming_a_free_stack_locks_it_for_the_run_and_frees_it_after(tmp_path: Path) -> None:
    with claim_stack("local", _topology(tmp_path), tmp_path, None, "only") as (place, _lock):
        assert place.state_dir == tmp_path and not place.private
        holder = holder_of(tmp_path)
        assert holder is not None and holder.scenario == "only" and holder.own_stack
    assert holder_of(tmp_path) is None
