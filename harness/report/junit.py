"""junit.xml: one testsuite per run, one testcase per assertion, for CI test dashboards."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from harness.assertions.evaluate import Outcome
from harness.assertions.verdict import Verdict
from harness.report import readable
from harness.report.meta import ScenarioMeta


def failure_message(o: Outcome) -> str:
    observed = readable.value(o.metric, o.observed)
    wanted = readable.threshold(o.metric, o.op, o.threshold)
    worst = readable.worst(o)
    where = f" (worst region: {worst})" if worst else ""
    return f"observed {observed}{where}, wanted {wanted}"


def junit_xml(
    meta: ScenarioMeta, outcomes: Sequence[Outcome], verdict: Verdict, duration: float
) -> bytes:
    failures = sum(1 for o in outcomes if not o.passed)
    suite = ET.Element(
        "testsuite",
        name=f"dispatch-chaos.{meta.name}",
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{duration:.3f}",
    )
    props = ET.SubElement(suite, "properties")
    for name, value in (
        ("scenario", meta.name),
        ("scenario_file", meta.file),
        ("seed", "" if meta.seed is None else str(meta.seed)),
        ("verdict", verdict.status),
        ("exit_code", str(verdict.exit_code)),
    ):
        ET.SubElement(props, "property", name=name, value=value)
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", classname=meta.name, name=o.name, time="0")
        if not o.passed:
            failure = ET.SubElement(case, "failure", message=failure_message(o), type=o.metric)
            lines = [o.detail] if o.detail else []
            for r in o.regions:
                mark = "ok  " if r.passed else "FAIL"
                value = readable.value(o.metric, r.observed)
                lines.append(
                    f"{mark} {r.region}: {value} ({r.samples} samples) {r.detail}".rstrip()
                )
            failure.text = "\n".join(lines)
    out = ET.SubElement(suite, "system-out")
    out.text = f"verdict: {verdict.status} (exit {verdict.exit_code}) {verdict.reason}".rstrip()
    ET.indent(suite)
    xml: bytes = ET.tostring(suite, encoding="utf-8", xml_declaration=True)
    return xml
