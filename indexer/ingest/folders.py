"""Input units: which files under a path are read together as one meeting.

A meeting folder (named ``YYYY-MM-DD``, or holding a ``meeting.json``) with one PDF per
document is one unit; any other file is a unit on its own.
"""

from __future__ import annotations

import re
from pathlib import Path


def input_units(top: Path, files: list[Path]) -> list[Path]:
    """A meeting folder (one PDF per document) is one unit; any other file is its own unit."""
    units: list[Path] = []
    seen_dirs: set[Path] = set()
    for f in files:
        folder = f.parent
        if folder != top and (folder / "meeting.json").exists() or _is_meeting_folder(folder):
            if folder not in seen_dirs:
                seen_dirs.add(folder)
                units.append(folder)
        else:
            units.append(f)
    return units


def _is_meeting_folder(folder: Path) -> bool:
    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", folder.name)) or (folder / "meeting.json").exists()
