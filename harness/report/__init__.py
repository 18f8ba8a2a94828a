"""Reports of a run: summary.json, junit.xml, report.html (timeline) and the console table."""

from harness.report.console import print_summary, summary_table
from harness.report.meta import CheckNote, FaultNote, ScenarioMeta
from harness.report.write import ReportFiles, render, write_reports

__all__ = [
    "CheckNote",
    "FaultNote",
    "ReportFiles",
    "ScenarioMeta",
    "print_summary",
    "render",
    "summary_table",
    "write_reports",
]
