"""Find the input files under the paths given: which files are papers, in a stable order.

A paper is a text, markdown or PDF file that is not hidden, not a folder's README and not
``meeting.json`` (a meeting folder's metadata, read by the pack reader). Reading the files
is :mod:`indexer.parse.sources`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from indexer.common.errors import ParseError
from indexer.ingest.folders import METADATA_FILE, is_meeting_folder

# Suffix -> the kind of :class:`~indexer.common.models.SourceText` it is read as.
FILE_KINDS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf"}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FILE_KINDS)


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand ``paths`` into input files: directories recursively, in sorted order.

    Hidden files and directories are skipped, as are README files (a folder's notes, not
    papers) and anything whose suffix is not supported (including ``meeting.json`` metadata). A file named explicitly is kept
    whatever its suffix, so that :func:`~indexer.parse.sources.load_source` reports it
    rather than it vanishing.
    """
    found: list[Path] = []
    seen: set[Path] = set()
    for given in paths:
        given = Path(given)
        if given.is_dir():
            files = sorted(_walk(given))
        elif given.exists():
            files = [given]
        else:
            raise ParseError(given, "no such file or directory")
        for f in files:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                found.append(f)
    return found


def is_paper_name(name: str) -> bool:
    """Not hidden, not meeting.json metadata, not a folder's README, and a supported type."""
    if name.startswith(".") or name == METADATA_FILE or name.upper().startswith("README."):
        return False
    return Path(name).suffix.lower() in FILE_KINDS


def unit_files(unit: str | Path) -> list[Path]:
    """The files of one unit: the file itself, or the papers under a meeting folder, sorted.

    Sub-folders are included ("public_packs/"), except hidden ones and those that are meeting
    folders of their own (each is its own unit).
    """
    unit = Path(unit)
    if not unit.is_dir():
        return [unit]
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(unit):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not is_meeting_folder(here / d))
        out += [here / n for n in filenames if is_paper_name(n) and (here / n).is_file()]
    return sorted(out, key=lambda p: p.relative_to(unit).parts)


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not is_paper_name(name):
                continue
            if Path(name).suffix.lower() in FILE_KINDS:
                yield Path(dirpath, name)
