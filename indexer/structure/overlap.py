"""Papers that repeat another's pages: read once, from the pack that carries them all.

A ModernGov meeting folder holds the public reports pack (the agenda and every report, with the
agenda's page numbers) and, beside it, the same agenda frontsheet and reports one file each.
Read twice, every passage would be found twice. :func:`contained` measures how much of one
text another holds, on runs of six words, so page furniture and line breaks do not matter.
"""

from __future__ import annotations

import re

_RUN = 6
_WORD = re.compile(r"[a-z0-9]+")
_PAGE = re.compile(r"^\s*(?:page\s+\d+(?:\s+of\s+\d+)?|\d{1,4})\s*$", re.I | re.M)


def shingles(text: str) -> set[int]:
    words = _WORD.findall(_PAGE.sub(" ", text.lower()))
    return {hash(tuple(words[i:i + _RUN])) for i in range(max(0, len(words) - _RUN + 1))}


def contained(inner: set[int], outer: set[int]) -> float:
    """The share of ``inner``'s word runs found in ``outer`` (0 when ``inner`` is empty)."""
    return len(inner & outer) / len(inner) if inner else 0.0
