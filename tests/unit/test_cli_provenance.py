"""`harness validate` warns about what has neither a source nor an assumption and still exits 0;
`harness list` shows a scenario's sources and its assumptions in columns of their own."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from harness.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
UNSOURCED = DATA / "warnings" / "unsourced.yaml"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_validate_warns_about_each_unsourced_item_and_exits_0() -> None:
    code, stdout, stderr = invoke("validate", str(UNSOURCED))
    assert code == 0
    assert f"ok  {UNSOURCED}" in stdout
    assert (
        f"{UNSOURCED}:17: warning: fault 'gms-slow' has neither a source nor an assumption"
        in stderr.splitlines()
    )
    assert stderr.count("warning:") == 4


def test_validate_still_fails_an_invalid_file_beside_a_warned_one() -> None:
    code, _, stderr = invoke("validate", str(UNSOURCED), str(DATA / "broken" / "bad-rate.yaml"))
    assert code == 2
    assert "warning:" in stderr and "bad rate 'lots'" in stderr


def test_list_shows_sources_and_assumptions_in_separate_columns(tmp_path: Path) -> None:
    folder = tmp_path / "library"
    folder.mkdir()
    text = UNSOURCED.read_text().replace(
        "topology: ../../../scenarios/", f"topology: {DATA.parents[1] / 'scenarios'}/"
    )
    text = text.replace(
        'sources: ["Kamerbrief 25-09-2020, ref. 3031287"]',
        'sources: ["the letter"]\nassumptions: ["an invented hour"]',
    )
    (folder / "unsourced.yaml").write_text(text)
    code, stdout, _ = invoke("list", "--dir", str(folder))
    assert code == 0, stdout
    header = next(line for line in stdout.splitlines() if "scenario" in line)
    assert header.index("sources") < header.index("assumptions")
    row = next(line for line in stdout.splitlines() if "the letter" in line)
    assert row.index("the letter") < row.index("an invented hour")
    assert "the letter" not in row[header.index("assumptions") - 1 :]
