"""SQLite for state that must survive a kill -9 (GMS incidents, a meldkamer's buffer).

WAL mode with synchronous=NORMAL: a transaction is in the WAL file when its commit returns, so
a killed process loses nothing it acknowledged (only a power cut could, before the next
checkpoint). The database is used from the event loop thread only; each statement is quick.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_database(path: Path | None) -> sqlite3.Connection:
    """The database at `path` (created with its directory), or one in memory for None."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path) if path is not None else ":memory:", isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA busy_timeout=1000")
    return db
