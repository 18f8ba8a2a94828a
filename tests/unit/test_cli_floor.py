"""`harness validate --duration` and `harness run --duration` refuse a replay too short for the
sample floor with exit 2 and file:line, before any stack starts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from harness.cli import main
from harness.paths import project_root

SEPTEMBER = project_root() / "scenarios" / "september-2020.yaml"


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.stderr


def test_validate_at_a_duration_too_short_exits_2_with_the_shortest_one() -> None:
    code, stderr = invoke("validate", "--duration", "8", str(SEPTEMBER))
    assert code == 2
    assert f"{SEPTEMBER}:" in stderr and "the shortest duration that works is --duration" in stderr


def test_validate_at_a_third_of_the_default_passes() -> None:
    assert invoke("validate", "--duration", "30", str(SEPTEMBER))[0] == 0


def test_run_at_a_duration_too_short_is_refused_before_anything_starts(tmp_path: Path) -> None:
    state, reports = tmp_path / "state", tmp_path / "report"
    code, stderr = invoke(
        "run", str(SEPTEMBER), "--duration", "8", "--report-dir", str(reports),
        env={"DC_STATE_DIR": str(state)},
    )  # fmt: skip
    assert code == 2
    assert "0900 down on Wednesday morning" in stderr
    assert not state.exists() and not reports.exists()
