"""Recommendations tracker (being built): RESOLVED points and their follow-ups across meetings."""

from __future__ import annotations

import sqlite3


def rebuild_tracker(con: sqlite3.Connection) -> list[str]:
    """Recompute the tracker tables from the store; returns warnings."""
    return []
