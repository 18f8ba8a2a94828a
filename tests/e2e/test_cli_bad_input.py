"""Bad arguments and bad files given to the installed `harness` command: exit 2 with a message
naming the option or the file (and line), no traceback, and refused before anything starts:
no state folder is created, so no stack, supervisor, proxy or fault can exist."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import DATA, ROOT, Harness

THIN_SLICE = DATA / "thin-slice.yaml"
BROKEN_TOPOLOGY = ROOT / "tests" / "data" / "broken-topology" / "unknown-kind.yaml"
UNKNOWN_KIND = f"{BROKEN_TOPOLOGY}:34: services.gms.kind: unknown kind 'gsm'"
QUICK = 30.0  # seconds: a refusal needs no stack, so anything slower is a failure


class Script(Harness):
    """The console script pip installed next to this interpreter, as a user runs it."""

    def argv(self, *args: str) -> list[str]:
        return [str(Path(sys.executable).with_name("harness")), *args]


@pytest.fixture
def harness(tmp_path: Path) -> Script:
    return Script(tmp_path / "state")


def refused(h: Script, *args: str) -> str:
    """Run the command; assert it refused as bad input before starting anything; its stderr."""
    result = h(*args, timeout=QUICK)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    assert "<input>" not in output, output
    assert "stack:" not in result.stdout, output
    assert not h.state_dir.exists(), output
    return result.stderr


def broken_topology_scenario(folder: Path) -> Path:
    text = THIN_SLICE.read_text(encoding="utf-8")
    path = folder / "on-a-broken-topology.yaml"
    path.write_text(
        text.replace("../../../scenarios/topologies/meldkamer-nl.yaml", str(BROKEN_TOPOLOGY)),
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--duration", "-5"],
            "Invalid value for '--duration': must be a number of seconds above 0",
        ),
        (
            ["--duration", "0"],
            "Invalid value for '--duration': must be a number of seconds above 0",
        ),
        (
            ["--duration", "nan"],
            "Invalid value for '--duration': must be a number of seconds above 0",
        ),
        (
            ["--duration", "inf"],
            "Invalid value for '--duration': must be a number of seconds above 0",
        ),
        (["--duration", "abc"], "Invalid value for '--duration': 'abc' is not a valid float"),
        (["--seed", "abc"], "Invalid value for '--seed': 'abc' is not a valid integer"),
        (["--processes", "0"], "Invalid value for '--processes': 0 is not in the range x>=1"),
        (["--processes", "-2"], "Invalid value for '--processes': -2 is not in the range x>=1"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_bad_run_option_is_refused_naming_the_option(
    harness: Script, args: list[str], message: str
) -> None:
    assert message in refused(harness, "run", str(THIN_SLICE), *args)


def test_a_folder_given_as_the_scenario_is_refused(harness: Script) -> None:
    assert f"{DATA}: is a folder, not a YAML file" in refused(harness, "run", str(DATA))


def test_a_missing_scenario_file_is_refused(harness: Script, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert f"{missing}: no such file" in refused(harness, "run", str(missing))


def test_a_report_dir_that_is_a_regular_file_is_refused(harness: Script, tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("not a folder\n", encoding="utf-8")
    stderr = refused(harness, "run", str(THIN_SLICE), "--report-dir", str(file))
    assert (
        f"{file}: not usable as the report folder (--report-dir): it exists and is not a folder"
        in stderr
    )
    assert file.read_text(encoding="utf-8") == "not a folder\n"


def test_a_report_dir_under_a_regular_file_is_refused(harness: Script, tmp_path: Path) -> None:
    file = tmp_path / "notes.txt"
    file.write_text("", encoding="utf-8")
    below = file / "run"
    stderr = refused(harness, "run", str(THIN_SLICE), "--report-dir", str(below))
    assert f"{below}: not usable as the report folder (--report-dir): cannot create it" in stderr


def test_a_report_dir_that_even_root_cannot_write_in_is_refused(harness: Script) -> None:
    # /proc exists and is a folder, but no one (root included) can create a file there:
    # permission bits would not show that, only writing does.
    stderr = refused(harness, "run", str(THIN_SLICE), "--report-dir", "/proc")
    assert "/proc: not usable as the report folder (--report-dir): cannot write a file" in stderr


def test_a_scenario_on_a_broken_topology_is_refused_at_the_topology_line(
    harness: Script, tmp_path: Path
) -> None:
    scenario = broken_topology_scenario(tmp_path)
    stderr = refused(harness, "run", str(scenario))
    assert f"{scenario}:6: topology {BROKEN_TOPOLOGY} is invalid" in stderr
    assert UNKNOWN_KIND in stderr


def test_validate_reports_a_broken_topology_with_its_file_and_line(
    harness: Script, tmp_path: Path
) -> None:
    stderr = refused(harness, "validate", str(broken_topology_scenario(tmp_path)))
    assert UNKNOWN_KIND in stderr


def test_validate_of_a_folder_is_refused(harness: Script) -> None:
    assert f"{DATA}: is a folder, not a YAML file" in refused(harness, "validate", str(DATA))


def test_up_with_a_broken_topology_is_refused_before_a_supervisor_starts(harness: Script) -> None:
    assert UNKNOWN_KIND in refused(harness, "up", "--topology", str(BROKEN_TOPOLOGY))


def test_report_of_a_folder_without_a_journal_is_refused(harness: Script, tmp_path: Path) -> None:
    stderr = refused(harness, "report", str(tmp_path))
    assert f"{tmp_path}: no journal.jsonl here; is this a run directory?" in stderr
