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

# Suffix -> the kind of :class:`~indexer.common.models.SourceText` it is read as.
FILE_KINDS = {".txt": "text", ".md": "markdown", ".markdown": "markdown", ".pdf": "pdf"}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(FILE_KINDS)
METADATA_FILE = "meeting.json"  # a meeting folder's metadata, read by the pack reader


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
    """The files of one unit: the file itself, or a meeting folder's supported files, sorted."""
    unit = Path(unit)
    if not unit.is_dir():
        return [unit]
    return sorted(p for p in unit.iterdir() if p.is_file() and is_paper_name(p.name))


def _walk(root: Path) -> Iterable[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if not is_paper_name(name):
                continue
            if Path(name).suffix.lower() in FILE_KINDS:
                yield Path(dirpath, name)
