"""Incidents GMS has not acknowledged yet, kept until it does.

In SQLite (WAL) under the meldkamer's data_dir, so a restart loses none, or in memory when it
has no data_dir. Keyed by the idempotency key: buffering an incident twice keeps it once.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from mock_services.core.store import open_database


class IncidentBuffer:
    def __init__(self, path: Path | None) -> None:
        self.db = open_database(path)
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS pending (key TEXT PRIMARY KEY, incident TEXT NOT NULL,"
            " added REAL NOT NULL)"
        )
        self._count = int(self.db.execute("SELECT count(*) FROM pending").fetchone()[0])

    def __len__(self) -> int:
        return self._count

    def add(self, key: str, incident: dict[str, Any]) -> None:
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO pending (key, incident, added) VALUES (?, ?, ?)",
            (key, json.dumps(incident), time.time()),
        )
        self._count += cursor.rowcount

    def oldest(self, limit: int) -> list[tuple[str, dict[str, Any]]]:
        rows = self.db.execute(
            "SELECT key, incident FROM pending ORDER BY added, key LIMIT ?", (limit,)
        ).fetchall()
        return [(key, json.loads(text)) for key, text in rows]

    def remove(self, key: str) -> None:
        cursor = self.db.execute("DELETE FROM pending WHERE key = ?", (key,))
        self._count -= cursor.rowcount

    def close(self) -> None:
        self.db.close()
