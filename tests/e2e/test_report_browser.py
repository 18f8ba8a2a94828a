"""report.html in a real browser: headless Debian chromium renders it, the timeline included."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from harness import procs
from harness.assertions import decide, ending_from_journal, evaluate
from harness.report import write_reports
from tests.prerequisites import need_program
from tests.unit.report import sample

pytestmark = pytest.mark.browser


def chromium(*args: str, profile: Path, out: Path, timeout: float = 60.0) -> str:
    """Run headless chromium to completion in its own process group; its stdout."""
    binary = need_program("chromium", "chromium")
    argv = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    # chromium keeps crash reports and caches under XDG dirs: keep them in the test's tmp too
    env = {**os.environ, "XDG_CONFIG_HOME": str(profile), "XDG_CACHE_HOME": str(profile)}
    with out.open("wb") as stdout:
        proc = procs.spawn(argv, stdout=stdout, env=env)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"chromium did not finish within {timeout:g}s")
        finally:
            procs.stop(proc)  # also ends helpers left in its group
    return out.read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = sample.journal(4000, halted_at=200_000)
    outcomes = evaluate(sample.CHECKS, events)
    verdict = decide(outcomes, ending_from_journal(events))
    files = write_reports(
        tmp_path_factory.mktemp("run"), sample.META, sample.CHECKS, events, verdict
    )
    return files.html


def test_the_screenshot_shows_a_rendered_report(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    shot = tmp_path / "report.png"
    chromium(
        f"--screenshot={shot}",
        "--window-size=1400,1000",
        report.as_uri(),
        profile=tmp_path / "profile",
        out=tmp_path / "stdout",
    )
    assert shot.is_file()
    with Image.open(shot) as image:
        assert image.size == (1400, 1000)
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20) or []
        header = pixels.getpixel((5, 5))
        badge = {c for _, c in colours}
    assert len(colours) > 200  # text, tables and a plot, not a blank or error page
    assert header == (0x1D, 0x24, 0x30)  # the dark header bar
    assert (0xB3, 0x5C, 0x00) in badge  # the orange HALTED badge


def test_the_dom_holds_the_timeline_svg(report: Path, tmp_path: Path) -> None:
    dom = chromium(
        "--dump-dom", report.as_uri(), profile=tmp_path / "profile", out=tmp_path / "dom.html"
    )
    assert '<svg class="timeline"' in dom
    assert 'id="fault-police-ict-down-gms--police-ict"' in dom
    assert 'id="halt-ratio-112-keeps-answering"' in dom
    assert "Success ratio per traffic class" in dom
