"""A schedule as a scenario: the base scenario with `explore:` taken out, its faults replaced
by the schedule's, judged by the search's target assertions, at the search's replay.

The same data is written as the example's file (so every example can be read and rerun) and,
for the smallest failure, as the reproducer, with its topology paths relative to where it lies.
"""

from __future__ import annotations

import copy
import io
import os
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from harness.explore.bounds import Bounds
from harness.explore.schedule import Schedule
from harness.model.duration import format_duration
from harness.model.scenario import Scenario, build_scenario
from harness.model.source import Source

_PATHS = ("topology", "design")  # the keys that name files relative to the scenario


class Examples:
    """Builds the examples of one search from the base scenario's data."""

    def __init__(self, data: dict[str, Any], base_dir: Path, bounds: Bounds) -> None:
        self.base_dir = base_dir.resolve()
        self.bounds = bounds
        self.data = copy.deepcopy(data)
        self.data.pop("explore", None)
        self.data.pop("halt", None)  # a search judges its target at the end, never halts early
        self.data["assertions"] = [dict(a) for a in bounds.assertions]
        self.data.setdefault("topology", "topologies/meldkamer-nl.yaml")
        for key in _PATHS:
            if key in self.data:
                self.data[key] = str((self.base_dir / self.data[key]).resolve())

    def data_for(self, schedule: Schedule, replay: float) -> dict[str, Any]:
        """`replay` wall seconds for the clock outside the faults' windows, and each window
        its own at the bounds' pace: a ten-minute outage in thirty hours is seen in calls."""
        data = copy.deepcopy(self.data)
        data["faults"] = schedule.faults()
        focus = [
            {
                "from": f"+{format_duration(t.start)}",
                "until": f"+{format_duration(t.start + t.length)}",
                "replay": format_duration(round(t.length / self.bounds.pace, 3)),
            }
            for t in schedule.trials
        ]
        walls = sum(t.length / self.bounds.pace for t in schedule.trials)
        data["clock"] = {
            **data["clock"],
            "replay": format_duration(round(replay + walls, 3)),
            "focus": focus,
        }
        return data

    def scenario(self, data: dict[str, Any], file: Path) -> Scenario:
        """Resolved as if it lay beside the base scenario (user modules are found there)."""
        return build_scenario(Source(str(file), data), self.base_dir)

    def write(self, data: dict[str, Any], path: Path, header: str) -> Path:
        """The scenario file at `path`: a comment header, then the YAML; paths relative."""
        data = copy.deepcopy(data)
        for key in _PATHS:
            if key in data:
                data[key] = os.path.relpath(data[key], path.parent.resolve())
        text = io.StringIO()
        yaml = YAML(typ="rt", pure=True)  # keeps the keys in the order they were written
        yaml.default_flow_style = False
        yaml.dump(data, text)
        comment = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(comment + text.getvalue(), encoding="utf-8")
        return path
