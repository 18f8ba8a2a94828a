"""What the broken-file corpora share: `# expect: <line>: <message>` headers, and the pattern of
pydantic internals that must never show through a message."""

from __future__ import annotations

import re
from pathlib import Path

EXPECT = re.compile(r"# expect: (\d+): (.+)")
INTERNALS = re.compile(
    r"[A-Z][a-z]+File\b|Input should|Value error|literal\[|function-|tagged-union|pydantic|\[type="
)


def expectations(path: Path) -> list[tuple[int, str]]:
    """The (line, message) pairs a broken file's header says it must be reported with."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not (m := EXPECT.fullmatch(line.strip())):
            break
        found.append((int(m[1]), m[2].strip()))
    return found
