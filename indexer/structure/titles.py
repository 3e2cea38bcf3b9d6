"""A document's own title: its first heading, never a page number, a table cell or a label.

A document that no agenda lists is cited by its own title. The first lines of a PDF are often
not a title: a page number ("20"), "Page 3 of 12", a running banner, "Agenda Item 7", a
council's name, a table's first row, "Report to: Cabinet". :func:`is_title_line` says which
lines can be a title, and :func:`document_title` picks one, falling back to the file's name
(cleaned by :mod:`indexer.ingest.names`) when the document has no heading of its own or only
a generic one ("Appendix A" for "Appendix A - Capital Programme.pdf"). A name in ModernGov's own
pattern ("Budget Amendments 27th-Feb-2025 14.00 County Council.pdf") is the title the council
published the paper under, so its words before the date are the title.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from indexer.common.dates import find_date
from indexer.ingest.names import FileName
from indexer.structure.common import COUNCIL_RE

_PAGE_ONLY = re.compile(r"^(?:page\s+)?[-–\s]*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?[-–\s]*$", re.I)
_LABEL = re.compile(r"^(?:report (?:to|of|author)|meeting|date(?: of meeting)?|from|to|author|contact|tel"
                    r"|e-?mail|wards?(?: affected)?|key decision|classification|decision maker|portfolio"
                    r"|cabinet member|lead officer|directorate|status|ref(?:erence)?)\b\s*(?::|$)", re.I)
_NOT_TITLE = re.compile(r"^(?:public document pack|agenda item\s+\d|appendix\s+[a-z0-9]{1,3}$|this page is"
                        r"|not for publication|open|exempt|part\s+\w+$|\(?continued\)?$)", re.I)
_GENERIC = re.compile(r"^(?:appendix|annex|schedule|enclosure|item|report|attachment)\b(?:\s+\w{1,3})?$", re.I)


def is_junk(text: str) -> bool:
    """A page number, a table row (cells set apart), a date alone, or too few letters to name anything."""
    t = text.strip()
    letters = sum(c.isalpha() for c in t)
    if letters < 4 or "\t" in text or re.search(r"\S {3,}\S", t) or _PAGE_ONLY.match(t):
        return True
    found = find_date(t)
    return bool(found and found[2] - found[1] >= len(t) - 12)  # a date, perhaps with a weekday


def is_title_line(text: str, running: Iterable[str] = ()) -> bool:
    """Could this line be a document's title?"""
    t = text.strip()
    if is_junk(t) or len(t) > 150 or t in set(running):
        return False
    if _LABEL.match(t) or _NOT_TITLE.match(t) or COUNCIL_RE.match(t):
        return False
    letters = sum(c.isalpha() for c in t)
    return not t.endswith((",", ";")) and letters >= len(t) * 0.4


def document_title(lines: Iterable[str], name: FileName | None = None, running: Iterable[str] = (),
                   look: int = 12) -> str | None:
    """The first line among the first ``look`` non-blank lines that reads as a title, else the
    file name's; a generic heading ("Appendix A") gives way to a file name that says more."""
    running = set(running)
    if name is not None and name.moderngov and name.label:
        return name.label  # ModernGov names the papers it publishes: "Questions put and answers given"
    first = None
    for k, t in enumerate(x.strip() for x in lines if x.strip()):
        if k >= look:
            break
        if is_title_line(t, running):
            first = t.strip("* ").rstrip(":")
            break
    named = name.title if name is not None else None
    if first is None:
        return named
    if named and _GENERIC.match(first) and len(named) > len(first) and first.lower() in named.lower():
        return named
    return first[:120]
