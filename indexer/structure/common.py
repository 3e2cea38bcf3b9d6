"""The pieces every finder in indexer/structure/ shares: lines, page furniture, headings.

A :class:`Line` is one line of a source's text with its character offsets; a :class:`Layout`
carries what a PDF adds around the text (running headers, "Page N" footers, page boundaries);
for a text file it is empty. Headings set over several lines are joined and normalised here,
and committee and council names read from them, for both front sheets and minutes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property

from indexer.common.dates import MONTHS
from indexer.common.models import Span


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    raw: str

    @cached_property
    def text(self) -> str:
        return clean(self.raw)


_MD_HEADING = re.compile(r"^#{1,6}\s*")


def clean(raw: str) -> str:
    """A line without markdown heading/bold markers and surrounding space."""
    s = _MD_HEADING.sub("", raw.strip())
    return s.replace("**", "").replace("__", "").strip()


def split_lines(text: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(text) if end is None else end
    out: list[Line] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl == -1 else nl
        out.append(Line(pos, stop, text[pos:stop]))
        pos = stop + 1
    return out


def trim_span(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


PAGE_LINE_RE = re.compile(r"^Page\s+\d{1,4}$", re.I)  # a bare "Page N" footer


@dataclass(frozen=True)
class Layout:
    """Page furniture of a PDF: running header lines and the offsets where pages begin."""

    running: frozenset[str] = frozenset()
    page_starts: tuple[int, ...] = ()

    def furniture(self, ln: Line) -> bool:
        """Blank, a "Page N" footer or a running header: never content, never a title."""
        t = ln.text
        return not t or bool(PAGE_LINE_RE.match(t)) or ln.raw.strip() in self.running

    def page_top(self, offset: int) -> int:
        """Where the page holding ``offset`` begins (0 for text without pages)."""
        k = bisect_right(self.page_starts, offset) - 1
        return self.page_starts[k] if k >= 0 else 0


def line_at(lines: list[Line], offset: int) -> int:
    """Index of the first line starting at or after ``offset``."""
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid].start < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def next_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].text:
            return j
    return None


def join_lines(lines: list[Line], i: int, limit: int = 14, stop: re.Pattern | None = None) -> str:
    """Up to ``limit`` non-blank lines from ``i`` as one string (a heading set over lines)."""
    parts: list[str] = []
    for ln in lines[i:]:
        t = ln.text
        if not t:
            continue
        if parts and stop is not None and stop.match(t):
            break
        parts.append(clean(ln.raw.replace("**", " ")))  # "held**on" is "held on"
        if len(parts) >= limit:
            break
    # "Cappamore-" at a line's end continues on the next line: "Cappamore-Kilmallock"
    return norm_heading(re.sub(r"(?<=\w-) (?=\w)", "", " ".join(parts)))


# Month names and abbreviations (from indexer.common.dates.MONTHS), longest first.
# Ordinals as OCR and typing leave them before a month: 6" February, 11™ JUNE, 1°" MAY,
# 21* January, 22ndFEBRUARY, 19February. They become "6 February"; "1s™ February" (15th?) stays unread.
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_BEFORE_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?(?:[\"”“'‘’°™*?^%_+]+[a-z]{0,2})?\s*(?=(?:" + MONTH_NAMES + r")\b)", re.I)
_GLUED_MEETING = re.compile(r"(?<=[A-Z])(?=MEETING\b)")  # "ANNUALMEETING"


def norm_heading(s: str) -> str:
    """Collapse spaces and repair ordinals so the date and time can be read."""
    s = re.sub(r"\s+", " ", s.replace("**", ""))
    return _GLUED_MEETING.sub(" ", _DAY_BEFORE_MONTH.sub(r"\1 ", s)).strip()


def committee_name(raw: str) -> tuple[str, str | None]:
    """(committee, council) from a heading's committee phrase; capitals made readable."""
    s = raw.strip(" ,.:;-–")
    if s.isupper():
        small = {"and", "of", "the", "for", "in", "on", "at"}
        s = " ".join(w.lower() if w.lower() in small and k else "-".join(map(str.capitalize, w.split("-")))
                     for k, w in enumerate(s.split()))
    s = re.sub(r"\bSPC\b", "Strategic Policy Committee", s, flags=re.I)
    council = None
    m = re.match(r"^((?:[\w&]+\s){1,5}Council)(?:[’']s|,)?\s+(?=\S)", s)
    if m and not re.match(r"^(?:and|or)\b", s[m.end():], re.I):
        council, s = m.group(1), s[m.end():]
    return s.strip(" ,.:;-–"), council


# A council's name alone on a line: "Leeds City Council", "Limerick City and County Council".
COUNCIL_RE = re.compile(r"^(?:[A-Z][\w'’.-]+\s){1,4}(?:City|County|Borough|District|Metropolitan)?\s*(?:and County )?Council$")
# "held in/at <place> on" in a notice or a minutes heading
PLACE_RE = re.compile(r"\bheld (?:in|at) (?!\d)(?P<place>.{3,160}?),?\s+on\b", re.I)


def longest_consecutive(cands: list[tuple[int, int]]) -> list[int]:
    """Indices (into cands, which are (line index, number)) of the longest run n, n+1, ..."""
    best: dict[int, list[int]] = {}
    longest: list[int] = []
    for ci, (_, num) in enumerate(cands):
        chain = best.get(num - 1, []) + [ci]
        if len(chain) >= len(best.get(num, [])):
            best[num] = chain
        if len(chain) > len(longest):
            longest = chain
    return longest


def snap_to_page(lines: list[Line], k: int, layout: Layout) -> int:
    """In a PDF a document begins at the top of its page: take in the running header above."""
    start = lines[k].start
    top = layout.page_top(start)
    if not layout.page_starts or top == start:
        return start
    j = line_at(lines, top)
    return top if all(layout.furniture(ln) for ln in lines[j:k]) else start
