"""Copies inside one meeting folder, read once: identical bytes, or a URL-encoded twin name.

Downloads from a council's site leave copies beside the originals: "Budget%20Amendments.pdf"
beside "Budget Amendments.pdf" (the same link saved twice), "Appendix A (1).pdf", or the same
appendix attached to two items. :func:`distinct_files` keeps one of each and says which
were set aside and why, so the reader can warn.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from indexer.ingest.names import decoded, read_name


@dataclass(frozen=True)
class Copy:
    path: Path  # the file set aside
    original: Path  # the file read instead
    reason: str  # "same bytes as", "URL-encoded name of"


def _preference(p: Path) -> tuple:
    """Which of two copies to keep: a decoded name, without "(1)", nearer the top, then sorted."""
    name = p.name
    return ("%" in name, read_name(p).stem != Path(decoded(name)).stem, len(p.parts), str(p))


def distinct_files(files: list[Path]) -> tuple[list[Path], list[Copy]]:
    """``files`` without copies (order kept), and the copies set aside."""
    copies: list[Copy] = []
    by_name: dict[tuple[Path, str], Path] = {}
    for f in sorted(files, key=_preference):
        key = (f.parent, decoded(f.name).lower())
        if key in by_name and "%" in f.name:
            copies.append(Copy(f, by_name[key], "URL-encoded name of"))
            continue
        by_name.setdefault(key, f)
    kept = [f for f in files if f not in {c.path for c in copies}]
    by_hash: dict[str, Path] = {}
    for f in sorted(kept, key=_preference):
        try:
            digest = hashlib.sha256(f.read_bytes()).hexdigest()
        except OSError:
            continue  # the reader reports an unreadable file
        if digest in by_hash:
            copies.append(Copy(f, by_hash[digest], "same bytes as"))
        else:
            by_hash[digest] = f
    dropped = {c.path for c in copies}
    return [f for f in files if f not in dropped], copies
