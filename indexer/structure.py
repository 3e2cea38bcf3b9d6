"""What is truly ours: the layout of council papers.

Pure functions over the text of one source. Everything returns character offsets into
that text, so passages can always be traced back to the page they came from.

- :func:`find_front_sheet` reads a ModernGov agenda front sheet (committee, date, time,
  place, numbered agenda items with their "(Pages 9 - 14)" ranges and authors).
- :func:`find_minutes` finds each "Minutes of the Meeting of ... held at ... on ..."
  section, its numbered minutes, RESOLVED points and cross-references.
- :func:`find_documents` splits the rest of a pack into reports, briefing notes,
  appendices and work programmes.
- :func:`find_tables` keeps the rows of tab-separated tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from .dates import find_date, parse_time
from .models import CrossRef, Resolution, Span, Table, TableRow


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # exclusive, without the newline
    raw: str

    @property
    def text(self) -> str:
        return clean(self.raw)


def clean(raw: str) -> str:
    """A line without markdown heading/bold markers and surrounding space."""
    s = raw.strip()
    s = re.sub(r"^#{1,6}\s*", "", s)
    s = s.replace("**", "").replace("__", "")
    return s.strip()


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


# ---------------------------------------------------------------- front sheet

AGENDA_ITEM_RE = re.compile(
    r"^(?P<num>\d{1,2})\.?\s+(?P<title>.+?)\s*(?:\(Pages?\s+(?P<p1>\d+)(?:\s*[-–]\s*(?P<p2>\d+))?\))?\s*$"
)
AUTHOR_RE = re.compile(r"^((?:Joint )?(?:Briefing Note|Report|Note)s? of (?:the )?.+)$", re.I)
COUNCIL_RE = re.compile(r"^(?:[A-Z][\w'’.-]+\s){1,4}(?:City|County|Borough|District|Metropolitan)?\s*(?:and County )?Council$")


@dataclass(frozen=True)
class AgendaEntry:
    number: str
    title: str
    page_start: int | None
    page_end: int | None
    author: str | None
    private: bool
    line: Line


@dataclass(frozen=True)
class FrontSheet:
    committee: str
    date: date
    start_time: time | None
    place: str | None
    council: str | None
    entries: tuple[AgendaEntry, ...]
    span: Span


def _next_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].text:
            return j
    return None


def find_front_sheet(text: str, lines: list[Line]) -> FrontSheet | None:
    """Read a front sheet from the first 60 lines, if there is one."""
    head = lines[:120]
    td = next((i for i, ln in enumerate(head) if ln.text.lower() in ("time and date", "date and time")), None)
    if td is None:
        return None
    committee = next((head[j].text for j in range(td - 1, -1, -1) if head[j].text), None)
    j = _next_nonblank(head, td)
    if committee is None or j is None:
        return None
    found = find_date(head[j].text)
    if found is None:
        return None
    when = found[0]
    start_time = parse_time(head[j].text)
    place = None
    council = None
    entries: list[AgendaEntry] = []
    private = False
    in_agenda = False
    for i in range(j + 1, len(lines)):
        t = lines[i].text
        low = t.lower()
        if low == "place" and place is None:
            k = _next_nonblank(lines, i)
            place = lines[k].text if k is not None else None
        elif low == "public business":
            in_agenda = True
        elif low == "private business":
            in_agenda, private = True, True
        elif in_agenda and (low.startswith("notes:") or re.match(r"^membership:", low)):
            break
        elif in_agenda and (m := AGENDA_ITEM_RE.match(t)):
            k = _next_nonblank(lines, i)
            author = lines[k].text if k is not None and AUTHOR_RE.match(lines[k].text) else None
            p1, p2 = m.group("p1"), m.group("p2")
            entries.append(AgendaEntry(
                number=m.group("num"), title=m.group("title").strip().rstrip("."),
                page_start=int(p1) if p1 else None,
                page_end=int(p2 or p1) if p1 else None,
                author=author, private=private, line=lines[i],
            ))
    for ln in lines[:400]:
        if COUNCIL_RE.match(ln.text):
            council = ln.text
            break
    return FrontSheet(committee, when, start_time, place, council, tuple(entries),
                      (lines[0].start if lines else 0, lines[-1].end if lines else 0))


# ---------------------------------------------------------------- minutes

MINUTES_HEAD_RE = re.compile(r"^Minutes of (?:the )?(?:\w+ )?Meeting of (?:the )?(?P<committee>.+?)\s*$", re.I)
HELD_RE = re.compile(r"\bheld\b", re.I)
MINUTE_RE = re.compile(r"^(?P<num>\d{1,3})\.\s+(?P<title>[^\W\d_].{1,200})$")
CLOSED_RE = re.compile(r"^\(?\s*(?:The )?Meeting closed at .*\)?$", re.I)
RESOLVED_RE = re.compile(r"^(?:RESOLVED|RECOMMENDED)\b")
POINT_RE = re.compile(r"^\s*(?:[-•*]\s*)?(?:\*\*)?\s*(?P<p>\d{1,2})\s*[.)]\s*(?:\*\*)?\s*(?P<rest>.*)$")
XREF_RE = re.compile(r"\b(?:[Ff]urther to )?[Mm]inutes? (?:No\.? ?)?(?P<num>\d{1,3})(?:/(?P<yy>\d{2,4}))?\b")


@dataclass(frozen=True)
class MinuteSection:
    committee: str
    date: date
    start_time: time | None
    council: str | None
    place: str | None
    span: Span
    minutes: tuple["Minute", ...]


@dataclass(frozen=True)
class Minute:
    number: str
    title: str
    title_line: Line
    body_span: Span
    resolutions: tuple[Resolution, ...]
    cross_refs: tuple[CrossRef, ...]
    private: bool = False


def _longest_consecutive(cands: list[tuple[int, int]]) -> list[int]:
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


def find_minutes(text: str, lines: list[Line], stop_at: list[int] | None = None) -> list[MinuteSection]:
    """Every minutes section in ``lines``; ``stop_at`` are offsets where other documents begin."""
    stops = sorted(stop_at or [])
    heads: list[tuple[int, str, date, time | None]] = []
    for i, ln in enumerate(lines):
        m = MINUTES_HEAD_RE.match(ln.text)
        if not m:
            continue
        window = " ".join(lines[k].text for k in range(i, min(i + 4, len(lines))))
        held = HELD_RE.search(window)
        found = find_date(window[held.start():]) if held else None
        if not found:
            continue
        committee = re.split(r"\s+held\b", m.group("committee"), flags=re.I)[0].strip(" ,")
        heads.append((i, committee, found[0], parse_time(window[held.start():])))
    sections: list[MinuteSection] = []
    for h, (i, committee, when, start_time) in enumerate(heads):
        start_line = i
        # the council's name line just above the heading belongs to the minutes
        k = i - 1
        while k >= 0 and not lines[k].text:
            k -= 1
        council = None
        if k >= 0 and COUNCIL_RE.match(lines[k].text) and i - k <= 2:
            start_line, council = k, lines[k].text
        limit = lines[heads[h + 1][0]].start if h + 1 < len(heads) else len(text)
        limit = min([s for s in stops if s > lines[i].end] + [limit])
        end = limit
        closed_line = None
        for ln in lines[i:]:
            if ln.start >= limit:
                break
            if CLOSED_RE.match(ln.text) or ln.text.lower() == "this page is intentionally left blank":
                closed_line = ln
                break
        if closed_line is not None:
            end = closed_line.end if CLOSED_RE.match(closed_line.text) else closed_line.start
        sec_lines = [ln for ln in lines[i + 1:] if ln.start < end]
        place = None
        for ln in sec_lines[:4]:
            pm = re.search(r"\bheld (?:at|in) (?!\d)(.+?)(?: on | at \d|$)", ln.text)
            if pm:
                place = pm.group(1).strip(" ,")
        minutes = _read_minutes(text, sec_lines, end)
        sections.append(MinuteSection(committee, when, start_time, council, place,
                                      trim_span(text, lines[start_line].start, end), tuple(minutes)))
    return sections


def _read_minutes(text: str, sec_lines: list[Line], end: int) -> list[Minute]:
    cands = [(idx, int(m.group("num"))) for idx, ln in enumerate(sec_lines)
             if (m := MINUTE_RE.match(ln.text)) and not ln.raw.lstrip().startswith(("-", "•"))]
    chain = [cands[c] for c in _longest_consecutive(cands)]
    private_from = next((ln.start for ln in sec_lines if ln.text.lower() == "private business"), None)
    out: list[Minute] = []
    for n, (idx, num) in enumerate(chain):
        title_line = sec_lines[idx]
        body_end = sec_lines[chain[n + 1][0]].start if n + 1 < len(chain) else end
        title = MINUTE_RE.match(title_line.text).group("title").strip().rstrip(".")
        body = trim_span(text, title_line.end, body_end)
        # a "Private Business" heading just before the next minute is not part of this body
        tail = text[body[0]:body[1]]
        for marker in ("Private Business", "Public Business"):
            if tail.rstrip("*# \n").endswith(marker):
                body = trim_span(text, body[0], body[0] + tail.rstrip("*# \n").rfind(marker))
        out.append(Minute(
            number=str(num), title=title, title_line=title_line, body_span=body,
            resolutions=tuple(find_resolutions(text, body)),
            cross_refs=tuple(find_cross_refs(text, body)),
            private=private_from is not None and title_line.start > private_from,
        ))
    return out


def find_resolutions(text: str, span: Span) -> list[Resolution]:
    """Each numbered point of each RESOLVED block in ``span`` (one record if unnumbered)."""
    lines = split_lines(text, *span)
    out: list[Resolution] = []
    starts = [i for i, ln in enumerate(lines) if RESOLVED_RE.match(ln.text)]
    for b, s in enumerate(starts):
        block = lines[s: starts[b + 1] if b + 1 < len(starts) else len(lines)]
        points: list[tuple[str | None, int, int]] = []
        for ln in block[1:]:
            if not ln.text:
                continue
            m = POINT_RE.match(ln.raw)
            if m:
                points.append((m.group("p"), ln.start, ln.end))
            elif points:
                points[-1] = (points[-1][0], points[-1][1], ln.end)
            elif len(ln.text) > 0 and not points and ln is block[1]:
                # a lead-in continued on the next line belongs to the unnumbered form
                pass
        if not points:
            blk = trim_span(text, block[0].start, block[-1].end)
            out.append(Resolution(None, _clean_block(text[blk[0]:blk[1]]), blk))
            continue
        for p, a, z in points:
            sp = trim_span(text, a, z)
            body = POINT_RE.match(text[sp[0]:sp[1]].split("\n", 1)[0])
            first = body.group("rest") if body else ""
            rest = text[sp[0]:sp[1]].split("\n", 1)[1] if "\n" in text[sp[0]:sp[1]] else ""
            out.append(Resolution(p, _clean_block(first + "\n" + rest), sp))
    return out


def _clean_block(s: str) -> str:
    parts = [clean(re.sub(r"^\s*[-•]\s*", "", ln)) for ln in s.split("\n")]
    return " ".join(p for p in parts if p).strip()


def find_cross_refs(text: str, span: Span) -> list[CrossRef]:
    out = []
    for m in XREF_RE.finditer(text, span[0], span[1]):
        out.append(CrossRef(m.group(0), m.group("num"), m.group("yy"), (m.start(), m.end())))
    return out


# ---------------------------------------------------------------- documents in a pack

BRIEFING_RE = re.compile(r"^(?:Briefing note|Public report|Private report|Report)$", re.I)
SUBJECT_RE = re.compile(r"^(?:Subject|Title)\s*:\s*(?P<title>.+)$", re.I)
TO_RE = re.compile(r"^To\s*:\s*\S", re.I)
WP_RE = re.compile(r"^Please see page \d+ onwards", re.I)
APPENDIX_RE = re.compile(r"^Appendix\s+(?:[A-Z]|\d{1,2})\b(?:\s*[-–:]\s*.{0,80})?$", re.I)
BLANK_PAGE = "this page is intentionally left blank"
_STOP_BACKUP = re.compile(r"(@|^(contact|tel\b|e-?mail|authors?\b|name:|name\t|job title|directorate|date:|signed)|intentionally left blank)", re.I)


@dataclass
class DocSegment:
    kind: str  # "briefing" | "report" | "work_programme" | "appendix" | "continuation"
    start: int
    end: int = -1
    title: str | None = None
    author: str | None = None
    anchor: int = 0
    extras: dict = field(default_factory=dict)


def _backup(lines: list[Line], i: int, floor: int) -> int:
    """From an anchor line, walk back over a short cover block; return the start line."""
    start = i
    seen = 0
    k = i - 1
    blanks = 0
    while k > floor and seen < 16:
        t = lines[k].text
        blanks = 0 if t else blanks + 1
        if blanks >= 2:  # two blank lines: the previous document ended here
            break
        if t:
            if len(t) > 90 or _STOP_BACKUP.search(t) or t.endswith((".", ";")):
                break
            seen += 1
            start = k
        k -= 1
    return start


def find_documents(text: str, lines: list[Line], taken: list[Span]) -> list[DocSegment]:
    """Split the lines not covered by ``taken`` (front sheet, minutes) into documents."""

    def free(ln: Line) -> bool:
        return not any(a <= ln.start < b for a, b in taken)

    anchors: list[tuple[int, str]] = []
    last_doc_line = -10
    first_free = next((i for i, ln in enumerate(lines) if free(ln) and ln.text), None)
    for i, ln in enumerate(lines):
        if not free(ln):
            continue
        t = ln.text
        kind = None
        if BRIEFING_RE.match(t):
            kind = "briefing" if "briefing" in t.lower() else "report"
        elif TO_RE.match(t) and i - last_doc_line > 8:
            kind = "briefing"
        elif SUBJECT_RE.match(t) and i - last_doc_line > 14:
            kind = "report"
        elif WP_RE.match(t):
            kind = "work_programme"
        elif APPENDIX_RE.match(t) and _standalone_appendix(lines, i):
            kind = "appendix"
        elif t.lower() == BLANK_PAGE:
            kind = "continuation"
        if kind is None and i == first_free:
            kind = "leading"
        if kind:
            anchors.append((i, kind))
            if kind != "continuation":
                last_doc_line = i
    segs: list[DocSegment] = []
    floor = -1
    for n, (i, kind) in enumerate(anchors):
        if kind == "continuation":
            start_line = i + 1
            if start_line >= len(lines):
                continue
        elif kind in ("appendix", "leading"):
            start_line = i
        else:
            start_line = _backup(lines, i, floor)
        floor = i
        segs.append(DocSegment(kind, lines[start_line].start, anchor=i))
    # close segments, drop empty continuations, read titles
    taken_starts = sorted(a for a, _ in taken)
    out: list[DocSegment] = []
    for n, seg in enumerate(segs):
        nxt = segs[n + 1].start if n + 1 < len(segs) else len(text)
        nxt = min([s for s in taken_starts if s > seg.start] + [nxt])
        blank = next((ln.start for ln in lines[seg.anchor + 1:]
                      if ln.start < nxt and ln.text.lower() == BLANK_PAGE), None)
        seg.end = blank if blank is not None else nxt
        if seg.kind == "continuation":
            # a blank page in the middle of a segment ends that one; what follows
            # without a cover of its own continues the same agenda item
            seg.start = min((ln.start for ln in lines[seg.anchor + 1:] if ln.text and ln.start < seg.end), default=seg.end)
        seg.start, seg.end = trim_span(text, seg.start, seg.end)
        if seg.end - seg.start < 40:
            continue
        _read_title(seg, lines)
        out.append(seg)
    return out


def _standalone_appendix(lines: list[Line], i: int) -> bool:
    """"Appendix A" as a heading, not a line in a list of appendices."""
    def nb(step: int) -> str:
        k = i + step
        while 0 <= k < len(lines) and not lines[k].text:
            k += step
        return lines[k].text if 0 <= k < len(lines) else ""
    return not (APPENDIX_RE.match(nb(-1)) or APPENDIX_RE.match(nb(1)))


def _read_title(seg: DocSegment, lines: list[Line]) -> None:
    seg_lines = [ln for ln in lines if seg.start <= ln.start < seg.end and ln.text]
    for ln in seg_lines[:30]:
        m = SUBJECT_RE.match(ln.text)
        if m:
            seg.title = m.group("title").strip()
            break
    if seg.kind == "work_programme":
        seg.title = seg.title or "Work Programme"
    if seg.title is None and seg_lines:
        first = [ln.text for ln in seg_lines[:3] if not COUNCIL_RE.match(ln.text)]
        seg.title = (first[0] if first else seg_lines[0].text)[:120]
    for ln in seg_lines:
        m = re.match(r"^(?:Authors?|Report Author)s?\s*:\s*(.+)$", ln.text, re.I)
        if m:
            seg.author = m.group(1).strip()
            break


# ---------------------------------------------------------------- tables

def find_tables(text: str, span: Span) -> list[Table]:
    """Runs of tab-separated lines; repeated header rows (page breaks) are not data rows."""
    tables: list[Table] = []
    run: list[Line] = []

    def flush() -> None:
        if len(run) < 2:
            run.clear()
            return
        header = tuple(c.strip() for c in run[0].raw.split("\t"))
        rows = tuple(TableRow(tuple(c.strip() for c in ln.raw.split("\t")), (ln.start, ln.end))
                     for ln in run[1:] if tuple(c.strip() for c in ln.raw.split("\t")) != header)
        tables.append(Table(header, rows, (run[0].start, run[-1].end)))
        run.clear()

    for ln in split_lines(text, *span):
        if "\t" in ln.raw:
            run.append(ln)
        elif ln.text == "" or (run and ln.text.lower().startswith(("date\t",))):
            continue
        else:
            # a heading between two parts of the same table (e.g. "SB2 Work Programme")
            # ends the run only if the next table does not repeat the header
            flush()
    flush()
    return _merge_repeated(tables)


def _merge_repeated(tables: list[Table]) -> list[Table]:
    out: list[Table] = []
    for t in tables:
        if out and out[-1].header == t.header:
            prev = out[-1]
            out[-1] = Table(prev.header, prev.rows + t.rows, (prev.span[0], t.span[1]))
        else:
            out.append(t)
    return out
