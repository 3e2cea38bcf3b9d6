"""Reading the agenda packs under some paths, for ``council meetings`` and ``council items``.

Imported on first use (by ``indexer.cli.papers_cmds``): the pack reader pulls pypdf, which
``council --help`` must not wait for.
"""

from __future__ import annotations

from pathlib import Path

from indexer.common.errors import ParseError
from indexer.ingest.folders import input_units
from indexer.ingest.files import iter_input_files
from indexer.structure.reader import parse_path


def read_paths(paths: tuple[str, ...]):
    """Parse every pack under ``paths``; returns (parsed sources, errors)."""
    parsed, errors = [], []
    for p in paths:
        root = Path(p) if Path(p).is_dir() else Path(p).parent
        try:
            units = input_units(Path(p), iter_input_files([p]))
        except ParseError as exc:
            errors.append(exc)
            continue
        for unit in units:
            try:
                parsed.append(parse_path(unit, root=root))
            except ParseError as exc:
                errors.append(exc)
    return parsed, errors
