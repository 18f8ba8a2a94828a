"""Where a scenario's facts come from: every fault, assertion and halt names a public source
for what it replays or marks what no source gives as an assumption (docs/scenarios.md,
Sources and assumptions). A missing one is a warning, not an error: the file still runs,
but a replay that cannot say where a value came from is not honest about it.
"""

from __future__ import annotations

from harness.errors import Problem
from harness.model.source import Source

# the scenario's lists, and what one item of each is called in a warning
_ITEMS = (("faults", "fault"), ("assertions", "assertion"), ("halt", "halt"))


def provenance_warnings(src: Source) -> list[Problem]:
    """A warning at the line of every fault, assertion and halt with neither a `source:` nor
    an `assumption:` (blank text counts as none), in file order."""
    if not isinstance(src.data, dict):
        return []
    found = []
    for key, kind in _ITEMS:
        items = src.data.get(key)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            if _unsourced(item):
                what = f"{kind} {_label(item, index)}"
                message = f"warning: {what} has neither a source nor an assumption"
                found.append(src.problem((key, index), message))
    return sorted(found, key=lambda p: p.line or 0)


def _unsourced(item: object) -> bool:
    """A mapping (anything else is the schema's to report) with no text under either key."""
    if not isinstance(item, dict):
        return False
    return not any(
        isinstance(item.get(k), str) and item[k].strip() for k in ("source", "assumption")
    )


def _label(item: dict[str, object], index: int) -> str:
    """The item's name, or its place in the list for a check written without one."""
    name = item.get("name")
    return f"'{name}'" if isinstance(name, str) and name else f"#{index + 1}"
