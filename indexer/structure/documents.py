"""Documents in a pack: reports, briefing notes, appendices and work programmes.

:func:`find_documents` splits the lines that the front sheet and minutes do not cover into
:class:`DocSegment` records (a cover or heading anchors each), and reads each one's title
and author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.common.models import Span
from indexer.structure.common import COUNCIL_RE, Layout, Line, line_at, snap_to_page, trim_span
from indexer.structure.titles import is_junk

BRIEFING_RE = re.compile(r"^(?:Briefing note|Public report|Private report|Report)$", re.I)
SUBJECT_RE = re.compile(r"^(?:Subject|Title)\s*:\s*(?P<title>.+)$", re.I)
TO_RE = re.compile(r"^To\s*:\s*\S", re.I)
WP_RE = re.compile(r"^Please see page \d+ onwards", re.I)
APPENDIX_RE = re.compile(r"^Appendix\s+(?:[A-Z]|\d{1,2})\b(?:\s*[-–:]\s*.{0,80})?$", re.I)
_LISTED_APPENDIX = re.compile(r"^Appendix\s+(?:[A-Z]|\d{1,2})\s*[-–:]\s*(?P<title>.{8,80})$", re.I)
BLANK_PAGE = "this page is intentionally left blank"
# "Agenda Item 7", which ModernGov prints at the top of the first page of each report in a pack
STAMP_RE = re.compile(r"^Agenda\s+Item\s+(?P<num>\d{1,3})(?P<sub>[a-z]?)\.?$", re.I)
_STOP_BACKUP = re.compile(r"(@|^(contact|tel\b|e-?mail|authors?\b|name:|name\t|job title|directorate|date:|signed)"
                          r"|intentionally left blank)", re.I)


@dataclass
class DocSegment:
    kind: str  # "briefing" | "report" | "work_programme" | "appendix" | "continuation" | "leading"
    start: int
    end: int = -1
    title: str | None = None
    author: str | None = None
    anchor: int = 0
    extras: dict = field(default_factory=dict)


def _backup(lines: list[Line], i: int, floor: int, layout: Layout) -> int:
    """From an anchor line, walk back over a short cover block; return the start line."""
    start = i
    seen = 0
    k = i - 1
    blanks = 0
    while k > floor and seen < 16:
        ln = lines[k]
        t = ln.text
        blanks = 0 if t else blanks + 1
        if blanks >= 2:  # two blank lines: the previous document ended here
            break
        if t:
            if (len(t) > 90 or _STOP_BACKUP.search(t) or t.endswith((".", ";"))
                    or layout.furniture(ln)):
                break
            seen += 1
            start = k
        k -= 1
    return start


def _anchor_kind(lines: list[Line], i: int, last_doc_line: int, listed: list[str]) -> str | None:
    t = lines[i].text
    if STAMP_RE.match(t):
        return "report"
    if BRIEFING_RE.match(t):
        return "briefing" if "briefing" in t.lower() else "report"
    if TO_RE.match(t) and i - last_doc_line > 8:
        return "briefing"
    if SUBJECT_RE.match(t) and i - last_doc_line > 14:
        return "report"
    if WP_RE.match(t):
        return "work_programme"
    if APPENDIX_RE.match(t) and _standalone_appendix(lines, i):
        return "appendix"
    if t.lower() == BLANK_PAGE:
        return "continuation"
    if listed and len(t) < 120 and not _LISTED_APPENDIX.match(t) and any(map(_fold(t).startswith, listed)):
        return "appendix"  # the heading of an appendix named in a "List of Appendices"
    return None


def _fold(s: str) -> str:
    return re.sub(r"[\s\-–—]+", " ", s.lower()).strip()


def find_documents(text: str, lines: list[Line], taken: list[Span],
                   layout: Layout = Layout()) -> list[DocSegment]:
    """Split the lines not covered by ``taken`` (front sheet, minutes) into documents."""
    taken_starts = sorted(a for a, _ in taken)

    def free(ln: Line) -> bool:
        return not any(a <= ln.start < b for a, b in taken)

    anchors: list[tuple[int, str]] = []
    listed: list[str] = []
    last_doc_line = last_stamp = -100
    for i, ln in enumerate(lines):
        if not free(ln):
            continue
        kind = _anchor_kind(lines, i, last_doc_line, listed)
        if STAMP_RE.match(ln.text):
            last_stamp = i
        elif kind in ("report", "briefing") and i - last_stamp <= 15:
            kind = None  # the report's own cover, under the pack's "Agenda Item 7" stamp
        if (m := _LISTED_APPENDIX.match(ln.text)) and not _standalone_appendix(lines, i):
            listed.append(_fold(re.split(r"\s+[-–—]\s+", m.group("title"))[0]))
        if kind:
            anchors.append((i, kind))
            if kind != "continuation":
                last_doc_line = i
    segs: list[DocSegment] = []
    floor = -1
    for i, kind in anchors:
        # a cover never reaches back over taken text or onto the previous page
        page_top = line_at(lines, layout.page_top(lines[i].start))
        floor = max(floor, _last_taken_line(lines, i, taken), page_top - 1)
        if kind == "continuation":
            start_line = i + 1
            if start_line >= len(lines):
                continue
        elif kind == "appendix":
            start_line = i
        else:
            start_line = _backup(lines, i, floor, layout)
        floor = i
        start = lines[start_line].start if kind == "continuation" else snap_to_page(lines, start_line, layout)
        stamp = STAMP_RE.match(lines[i].text)
        segs.append(DocSegment(kind, start, anchor=i,
                               extras={"item": stamp.group("num") + stamp.group("sub").lower()} if stamp else {}))
    # text before the first cover (a whole file with no cover of its own) is a "leading" segment
    first = next((k for k, ln in enumerate(lines) if free(ln) and not layout.furniture(ln)), None)
    if first is not None and (not segs or lines[first].start < segs[0].start):
        segs.insert(0, DocSegment("leading", snap_to_page(lines, first, layout), anchor=first))
    # close segments, drop those without content, read titles
    out: list[DocSegment] = []
    for n, seg in enumerate(segs):
        nxt = segs[n + 1].start if n + 1 < len(segs) else len(text)
        nxt = min([s for s in taken_starts if s > seg.start] + [nxt])
        following = lines[seg.anchor + 1:line_at(lines, nxt)]
        seg.end = next((ln.start for ln in following if ln.text.lower() == BLANK_PAGE), nxt)
        if seg.kind == "continuation":
            # a blank page in the middle of a segment ends that one; what follows
            # without a cover of its own continues the same agenda item
            seg.start = next((ln.start for ln in following
                              if ln.start < seg.end and not layout.furniture(ln)), seg.end)
        seg.start, seg.end = trim_span(text, seg.start, seg.end)
        content = [ln for ln in lines[line_at(lines, seg.start):line_at(lines, seg.end)]
                   if not layout.furniture(ln)]
        if sum(len(ln.text) for ln in content) < 40:
            continue
        _read_title(seg, content)
        out.append(seg)
    return out


def _last_taken_line(lines: list[Line], i: int, taken: list[Span]) -> int:
    before = [b for a, b in taken if b <= lines[i].start]
    return line_at(lines, max(before)) - 1 if before else -1


def _standalone_appendix(lines: list[Line], i: int) -> bool:
    """"Appendix A" as a heading, not a line in a list of appendices."""
    def nb(step: int) -> str:
        k = i + step
        while 0 <= k < len(lines) and not lines[k].text:
            k += step
        return lines[k].text if 0 <= k < len(lines) else ""
    return not (APPENDIX_RE.match(nb(-1)) or APPENDIX_RE.match(nb(1)))


_AUTHOR_LINE = re.compile(r"^(?:Authors?|Report Author)s?\s*:\s*(.+)$", re.I)


def segment(text: str, lines: list[Line], start: int, end: int, layout: Layout, kind: str = "report",
            extras: dict | None = None) -> DocSegment | None:
    """A document over ``[start, end)`` with its title read, or None when it holds no content."""
    start, end = trim_span(text, start, end)
    content = [ln for ln in lines[line_at(lines, start):line_at(lines, end)] if not layout.furniture(ln)]
    if sum(len(ln.text) for ln in content) < 40:
        return None
    seg = DocSegment(kind, start, end, anchor=line_at(lines, start), extras=dict(extras or {}))
    read_title(seg, content)
    return seg


def read_title(seg: DocSegment, content: list[Line]) -> None:
    _read_title(seg, content)


def _read_title(seg: DocSegment, content: list[Line]) -> None:
    """Subject line, else the first content line that is not a council name; author if stated."""
    for ln in content[:30]:
        m = SUBJECT_RE.match(ln.text)
        if m:
            seg.title = m.group("title").strip()
            break
    if seg.kind == "work_programme":
        seg.title = seg.title or "Work Programme"
    if seg.title is None and content:  # never a page number, a table row or a date alone
        first = [ln.text for ln in content[:3]
                 if not COUNCIL_RE.match(ln.text) and not is_junk(ln.text) and not STAMP_RE.match(ln.text)]
        seg.title = (first[0] if first else content[0].text)[:120] if first or not is_junk(content[0].text) else None
    for ln in content:
        m = _AUTHOR_LINE.match(ln.text)
        if m:
            seg.author = m.group(1).strip()
            break

