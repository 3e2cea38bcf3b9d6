"""Input units: which files under a path are read together as one meeting.

A meeting folder is one unit with every paper under it, its sub-folders included (ModernGov
downloads put the generated packs in ``public_packs/``). A folder is a meeting folder when it
holds a ``meeting.json`` or its path dates it (:func:`folder_date`). Any other file is a unit
on its own.

Dated folders, as archives file meetings:

- ``<committee>/<YYYY-MM-DD>/`` (what the ModernGov fetcher writes), also ``YYYY-MM-DD <name>``;
- ``<YYYY>/<MM>/<DD>-<meeting name>/`` (an archive filed by year and month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

METADATA_FILE = "meeting.json"  # a meeting folder's metadata, read by the pack reader
_ISO = re.compile(r"^(?P<y>(?:19|20)\d{2})-(?P<m>\d{2})-(?P<d>\d{2})(?:[ _-]+(?P<name>\S.*))?$")
_DAY_NAME = re.compile(r"^(?P<d>\d{2})[ _-]+(?P<name>\S.*)$")


@dataclass(frozen=True)
class FolderDate:
    """The meeting a folder's path names: its date, and the name the path gives it (if any)."""

    date: date
    name: str | None  # "cabinet" (the parent folder's slug) or "Monthly Meeting of ..." as written
    folder: Path


def folder_date(folder: Path) -> FolderDate | None:
    """The date (and name) a folder's own path gives its meeting, if it gives one."""
    m = _ISO.match(folder.name)
    try:
        if m:
            name = m.group("name") or folder.parent.name or None
            return FolderDate(date(int(m["y"]), int(m["m"]), int(m["d"])), name, folder)
        m = _DAY_NAME.match(folder.name)
        month, year = folder.parent, folder.parent.parent
        if m and re.fullmatch(r"\d{2}", month.name) and re.fullmatch(r"(?:19|20)\d{2}", year.name):
            return FolderDate(date(int(year.name), int(month.name), int(m["d"])), m.group("name").strip(), folder)
    except ValueError:
        return None
    return None


def nearest_folder_date(path: Path) -> FolderDate | None:
    """The dated folder nearest above ``path`` (or ``path`` itself, when it is a folder)."""
    folder = path if path.is_dir() else path.parent
    for f in (folder, *folder.parents):
        found = folder_date(f)
        if found is not None:
            return found
    return None


def is_meeting_folder(folder: Path) -> bool:
    return (folder / METADATA_FILE).is_file() or folder_date(folder) is not None


def input_units(top: Path, files: list[Path]) -> list[Path]:
    """The nearest meeting folder at or below ``top`` above each file is its unit; a file with
    none is its own unit. Units keep the order of their first file."""
    units: list[Path] = []
    seen: set[Path] = set()
    top = Path(top)
    known: dict[Path, Path | None] = {}
    for f in files:
        unit = _meeting_folder_of(f, top, known) or f
        if unit not in seen:
            seen.add(unit)
            units.append(unit)
    return units


def _meeting_folder_of(f: Path, top: Path, known: dict[Path, Path | None]) -> Path | None:
    folder = f.parent
    if folder in known:
        return known[folder]
    chain = [folder]
    if top.is_dir() and folder != top and top in folder.parents:
        chain += [p for p in folder.parents if p == top or top in p.parents]
    found = next((p for p in chain if is_meeting_folder(p)), None)
    known[folder] = found
    return found
