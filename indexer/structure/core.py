"""What is truly ours: the layout of council papers.

Pure functions over the text of one source. Everything returns character offsets into
that text, so passages can always be traced back to the page they came from.

- :func:`find_front_sheet` reads an agenda front sheet: a ModernGov sheet (committee,
  "Time and Date", place, numbered items with their "(Pages 9 - 14)" ranges and authors),
  or a notice ("You are requested to attend a Meeting of ... on 6th March, 2019 at 10.00 a.m.").
- :func:`find_minutes` finds each minutes heading ("Minutes of the Meeting of ... held at
  ... on ...", "MINUTES OF PROCEEDINGS AT MEETING OF ... HELD IN ... ON ..."), its numbered
  minutes, RESOLVED points and cross-references.
- :func:`find_documents` splits the rest of a pack into reports, briefing notes,
  appendices and work programmes.
- :func:`find_tables` keeps the rows of tab-separated tables.

A :class:`Layout` carries what a PDF adds around the text (running headers, "Page N"
footers, page boundaries); for a text file it is empty.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, time

from indexer.common.dates import MONTHS, find_date, parse_time
from indexer.common.models import CrossRef, Resolution, Span, Table, TableRow


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


def _line_at(lines: list[Line], offset: int) -> int:
    """Index of the first line starting at or after ``offset``."""
    lo, hi = 0, len(lines)
    while lo < hi:
        mid = (lo + hi) // 2
        if lines[mid].start < offset:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _next_nonblank(lines: list[Line], i: int) -> int | None:
    for j in range(i + 1, len(lines)):
        if lines[j].text:
            return j
    return None


def _joined(lines: list[Line], i: int, limit: int = 14, stop: re.Pattern | None = None) -> str:
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


# Ordinals as OCR and typing leave them before a month: 6" February, 11™ JUNE, 1°" MAY,
# 21* January, 22ndFEBRUARY, 19February. They become "6 February"; "1s™ February" (15th?) stays unread.
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_BEFORE_MONTH = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?(?:[\"”“'‘’°™*?^%_+]+[a-z]{0,2})?\s*(?=(?:" + _MONTH_NAMES + r")\b)", re.I)
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


# ---------------------------------------------------------------- front sheet

AGENDA_ITEM_RE = re.compile(
    r"^(?P<num>\d{1,2})\.?\s+(?P<title>.+?)\s*(?:\(Pages?\s+(?P<p1>\d+)(?:\s*[-–]\s*(?P<p2>\d+))?\))?\s*$"
)
AUTHOR_RE = re.compile(r"^((?:Joint )?(?:Briefing Note|Report|Note)s? of (?:the )?.+)$", re.I)
COUNCIL_RE = re.compile(r"^(?:[A-Z][\w'’.-]+\s){1,4}(?:City|County|Borough|District|Metropolitan)?\s*(?:and County )?Council$")
# "You are requested to attend a Meeting of X to be held in ... on <date> at <time>"
NOTICE_RE = re.compile(
    r"(?:(?:requested|invited) to attend|ha(?:s|ve) called|convened) [^.]{0,60}?meeting"
    r" (?:to consider [^.]{3,80}? (?:for|of) |of )(?:the )?(?P<committee>.{3,160}?)"
    r",?\s+(?=to be held|which will be held|will be held|on (?:mon|tues|wednes|thurs|fri|satur|sun)day\b|on \d)"
    r"|\b(?:an? |the )(?:[\w-]+ )?meeting of (?:the )?(?P<committee2>.{3,160}?),?\s+(?:will|is to)"
    r" (?:be(?: an? (?:[\w-]+ ){0,2}meeting)? held|take place)\b",
    re.I,
)
PLACE_RE = re.compile(r"\bheld (?:in|at) (?!\d)(?P<place>.{3,160}?),?\s+on\b", re.I)


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
    date: date | None  # None when the sheet prints no full date (the caller may know it)
    start_time: time | None
    place: str | None
    council: str | None
    entries: tuple[AgendaEntry, ...]
    span: Span


def find_front_sheet(text: str, lines: list[Line], layout: Layout = Layout()) -> FrontSheet | None:
    """Read a front sheet from the first lines, if there is one."""
    return _moderngov_sheet(lines, layout) or _notice_sheet(lines)


def _moderngov_sheet(lines: list[Line], layout: Layout) -> FrontSheet | None:
    head = lines[:120]
    td = next((i for i, ln in enumerate(head) if ln.text.lower() in ("time and date", "date and time")), None)
    if td is None:
        return None
    committee = next((head[j].text for j in range(td - 1, -1, -1) if not layout.furniture(head[j])), None)
    j = _next_nonblank(head, td)
    if committee is None or j is None:
        return None
    found = find_date(head[j].text)
    place = None
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
        elif in_agenda and (low.startswith(("notes:", "membership:")) or _MINUTES_WORD.match(t)
                            or BRIEFING_RE.match(t) or SUBJECT_RE.match(t)):
            break  # the front sheet ends at its notes, or where the next document begins
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
    council = next((ln.text for ln in lines[:400] if COUNCIL_RE.match(ln.text)), None)
    entries = [entries[k] for k in _longest_consecutive([(k, int(e.number)) for k, e in enumerate(entries)])]
    return FrontSheet(committee, found[0] if found else None, parse_time(head[j].text), place,
                      council, tuple(entries), (lines[0].start if lines else 0, lines[-1].end if lines else 0))


_NOTICE_HINT = re.compile(r"\b(?:attend|held)\b", re.I)
# where the notice's sentence ends and the agenda (with other meetings' dates) begins
_NOTICE_END = re.compile(r"\b(?:The business|The Agenda|AGENDA|Is mise|Yours)\b")
_AGENDA_NUM_RE = re.compile(r"^(?:Item\s+)?(?P<num>\d{1,2})\s*[.:]\s*(?P<title>[^\W\d_].{1,150})?$", re.I)


def _notice_sheet(lines: list[Line]) -> FrontSheet | None:
    """A notice of meeting: "... requested to attend a Meeting of X ... on <date> at <time>"."""
    for i, ln in enumerate(lines[:150]):
        if _MINUTES_WORD.match(ln.text):
            break  # a notice comes before any minutes
        if not _NOTICE_HINT.search(ln.text):
            continue
        window = _joined(lines, max(0, i - 3), limit=8)
        m = NOTICE_RE.search(window)
        if not m:
            continue
        after = _NOTICE_END.split(window[m.end():m.end() + 200])[0]
        found = find_date(after)
        when = found[0] if found else _date_from_letter(after, lines[max(0, i - 40):i])
        if when is None:
            continue
        committee, council = committee_name(m.group("committee") or m.group("committee2"))
        place = PLACE_RE.search(window[m.start():])
        return FrontSheet(committee, when, parse_time(after), place and place.group("place"),
                          council, tuple(_notice_entries(lines, i)), (lines[0].start, lines[-1].end))
    return None


_WEEKDAYS = ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")
_DAY_MONTH = re.compile(
    r"(?:\b(?P<wd>" + "|".join(_WEEKDAYS) + r")day,?\s+(?:the\s+)?)?\b(?P<day>\d{1,2})(?:st|nd|rd|th)?"
    r"(?:\s+of)?\s+(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\b", re.I)


def _date_from_letter(after: str, before: list[Line]) -> date | None:
    """"on Thursday 17th November" in a notice dated 11th November 2022: 2022-11-17.

    The year is read from the letter's own date above the notice, and the result must fall
    on the printed weekday (or, when none is printed, within 60 days of the letter).
    """
    dm = _DAY_MONTH.search(after)
    letter = find_date(norm_heading(" ".join(ln.text for ln in before)))
    if not dm or not letter:
        return None
    sent = letter[0]
    for year in (sent.year, sent.year + 1):
        try:
            when = date(year, MONTHS[dm.group("month").lower()], int(dm.group("day")))
        except ValueError:
            return None
        if 0 <= (when - sent).days <= 120:
            wd = dm.group("wd")
            if (wd and _WEEKDAYS.index(wd.lower()) == when.weekday()) or (not wd and (when - sent).days <= 60):
                return when
            return None
    return None


def _notice_entries(lines: list[Line], after: int) -> list[AgendaEntry]:
    """Numbered items after an "AGENDA" line: "1. Minutes", "Item 1." or "1." over its title."""
    top = next((k for k in range(after, len(lines)) if lines[k].text.upper() == "AGENDA"), after)
    cands: list[tuple[int, int, str]] = []
    for k in range(top + 1, len(lines)):
        m = _AGENDA_NUM_RE.match(lines[k].text)
        if not m:
            continue
        title = m.group("title")
        if title is None:
            nxt = _next_nonblank(lines, k)
            title = lines[nxt].text if nxt is not None and len(lines[nxt].text) < 150 else None
        if title:
            cands.append((k, int(m.group("num")), title))
    chain = _longest_consecutive([(k, n) for k, n, _ in cands])
    return [AgendaEntry(str(cands[c][1]), cands[c][2].strip().rstrip(".:"), None, None, None, False,
                        lines[cands[c][0]]) for c in chain]


# ---------------------------------------------------------------- minutes

# "Minutes of the Meeting of X", "MINUTES OF PROCEEDINGS AT SPECIAL MEETING OF THE X",
# "Draft Minutes of Annual Meeting of X": the words are often set one or a few per line.
_KIND = r"(?P<kind>(?:[\w'’-]+ ){0,6}?)meeting (?:[‘'(][^’')]{1,20}[’')] )?(?:of|for) (?:the )?(?P<committee>.+)$"
MINUTES_HEAD_RE = re.compile(
    r"^(?:draft )?minutes (?:of )?(?:the )?(?:proceedings (?:at|of) )?(?:the |an? )?(?:" + _KIND
    # "MINUTES OF NEWCASTLE AREA COMMITTEE MEETING HELD ON ..."
    + r"|(?P<named>[\w'’ -]{3,80}?\b(?:committee|council|board))\s+meeting(?P<tail>,?\s+held\b.+)$)", re.I | re.S)
# "A meeting of the X Strategic Policy Committee was held in ... on ...", at the top of a file
A_MEETING_RE = re.compile(r"^(?:an? |the )" + _KIND, re.I | re.S)
_COMMITTEE_END = re.compile(
    r",?\s+(?:(?:was |were )?held\b|to (?:approve|consider|adopt)\b|on (?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|(?:on|regarding) the\b)"
    r"|,?\s+(?:a|the) (?:\w+ )?meeting of\b", re.I)
_MINUTES_WORD = re.compile(r"^(?:draft\s+)?minutes\b", re.I)
_A_MEETING_WORDS = re.compile(r"^(?:an?|the)\s+(?:\S+\s+){0,3}?meeting\b", re.I)
_OPENING_LINES = 25  # how far into a file an unlabelled "A meeting of ... was held" may open it
_HEAD_STOP = re.compile(
    r"^(?:present\b|members\b|in attendance\b|in the chair\b|apologies\b|attendance\b|\d{1,3}\.\s)", re.I)
_PRESENT_RE = re.compile(r"^(?:[\w’']+\s+){0,2}(?:present|in attendance|attendance|in the chair)\b", re.I)
HELD_RE = re.compile(r"\bheld\b", re.I)
MINUTE_RE = re.compile(r"^(?P<num>\d{1,3})\.\s*(?P<title>[^\W\d_].{1,200})$")
MINUTE_NUM_RE = re.compile(r"^(?:(?P<num>\d{1,3})\.|Item\s+(?P<inum>\d{1,3})\s*[.:]?)$", re.I)
ITEM_MINUTE_RE = re.compile(r"^Item\s+(?P<num>\d{1,3})\s*[.:]\s*(?P<title>[^\W\d_].{1,200})$", re.I)
CLOSED_RE = re.compile(r"^\(?\s*(?:The )?Meeting closed at .*\)?$", re.I)
RESOLVED_RE = re.compile(r"^(?:RESOLVED|RECOMMENDED)\b")
POINT_RE = re.compile(r"^\s*(?:[-•*]\s*)?(?:\*\*)?\s*(?P<p>\d{1,2})\s*[.)]\s*(?:\*\*)?\s*(?P<rest>.*)$")
XREF_RE = re.compile(r"\b(?:[Ff]urther to )?[Mm]inutes? (?:No\.? ?)?(?P<num>\d{1,3})(?:/(?P<yy>\d{2,4}))?\b")


@dataclass(frozen=True)
class MinutesHeading:
    line: int  # index of the heading's first line
    committee: str
    council: str | None
    date: date
    start_time: time | None
    place: str | None


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


def minutes_heading(lines: list[Line], i: int, opening: bool = False) -> MinutesHeading | None:
    """Read the minutes heading that starts on line ``i``, if it names a meeting and its date.

    ``opening``: line ``i`` is near the top of its file, where "A meeting of X was held on
    ..." without the word "minutes" opens the minutes of some committees.
    """
    t = lines[i].text
    if _MINUTES_WORD.match(t):
        rx = MINUTES_HEAD_RE
    elif opening and _A_MEETING_WORDS.match(t):
        rx = A_MEETING_RE
    else:
        return None
    window = _joined(lines, i, limit=24, stop=_HEAD_STOP)[:600]
    m = rx.match(window)
    if not m:
        return None
    rest = m.group("committee") or m.group("named") + m.group("tail")
    end = _COMMITTEE_END.search(rest)
    if rx is A_MEETING_RE and not (end and HELD_RE.search(rest, end.start(), end.end())):
        return None
    committee, council = committee_name(rest[:end.start()] if end else rest)
    kind = (m.group("kind") or "").strip()
    if "committee" in kind.lower():  # "Joint Policing Sub Committee Meeting of the District of X"
        committee = f"{committee_name(kind)[0]} of {committee}"
    if not committee or len(committee) > 150:
        return None
    after = rest[end.start():] if end else rest
    held = HELD_RE.search(after)
    found = find_date(after[held.start():] if held else after)
    if found is None:
        return None
    tail = (after[held.start():] if held else after)[found[1]:]
    place = PLACE_RE.search(after)
    return MinutesHeading(i, committee, council, found[0], parse_time(tail) or parse_time(after),
                          place.group("place") if place else None)


def is_minutes_start(lines: list[Line], i: int) -> bool:
    """Line ``i`` begins a minutes heading followed by who was present."""
    return minutes_heading(lines, i, i < _OPENING_LINES) is not None and _has_attendance(lines, i)


def find_minutes(text: str, lines: list[Line], stop_at: list[int] | None = None,
                 layout: Layout = Layout()) -> list[MinuteSection]:
    """Every minutes section in ``lines``; ``stop_at`` are offsets where other documents begin."""
    stops = sorted(stop_at or [])
    nonblank = [i for i, ln in enumerate(lines) if ln.text]
    opening = nonblank[_OPENING_LINES] if len(nonblank) > _OPENING_LINES else len(lines)
    heads = [h for i in range(len(lines))
             if (h := minutes_heading(lines, i, i < opening)) and _has_attendance(lines, i)]
    sections: list[MinuteSection] = []
    for h, head in enumerate(heads):
        i = head.line
        start_line = i
        # the council's name line just above the heading belongs to the minutes
        k = i - 1
        while k >= 0 and layout.furniture(lines[k]) and lines[k].start >= layout.page_top(lines[i].start):
            k -= 1
        council = head.council
        if k >= 0 and COUNCIL_RE.match(lines[k].text) and i - k <= 3:
            start_line, council = k, lines[k].text
        start = snap_to_page(lines, start_line, layout)
        limit = lines[heads[h + 1].line].start if h + 1 < len(heads) else len(text)
        limit = min([s for s in stops if s > lines[i].end] + [limit])
        end = limit
        for ln in lines[i:]:
            if ln.start >= limit:
                break
            if CLOSED_RE.match(ln.text):
                end = ln.end
                break
            if ln.text.lower() == BLANK_PAGE:
                end = ln.start
                break
        sec_lines = [ln for ln in lines[i + 1:] if ln.start < end]
        minutes = _read_minutes(text, sec_lines, end, layout)
        sections.append(MinuteSection(head.committee, head.date, head.start_time, council, head.place,
                                      trim_span(text, start, end), tuple(minutes)))
    return sections


def _has_attendance(lines: list[Line], i: int) -> bool:
    """A real minutes heading is followed by who was present (an agenda line is not)."""
    seen = 0
    for ln in lines[i + 1:]:
        if not ln.text:
            continue
        if _PRESENT_RE.match(ln.text):
            return True
        seen += 1
        if seen > 30:
            return False
    return False


def snap_to_page(lines: list[Line], k: int, layout: Layout) -> int:
    """In a PDF a document begins at the top of its page: take in the running header above."""
    start = lines[k].start
    top = layout.page_top(start)
    if not layout.page_starts or top == start:
        return start
    j = _line_at(lines, top)
    return top if all(layout.furniture(ln) for ln in lines[j:k]) else start


def _read_minutes(text: str, sec_lines: list[Line], end: int, layout: Layout = Layout()) -> list[Minute]:
    cands: list[tuple[int, int, str, int]] = []  # (line index, number, title, title line index)
    for idx, ln in enumerate(sec_lines):
        t = ln.text
        if ln.raw.lstrip().startswith(("-", "•")):
            continue
        if m := (MINUTE_RE.match(t) or ITEM_MINUTE_RE.match(t)):
            cands.append((idx, int(m.group("num")), m.group("title"), idx))
        elif m := MINUTE_NUM_RE.match(t):  # "1." alone, its title on the next line
            nxt = next((j for j in range(idx + 1, min(idx + 4, len(sec_lines)))
                        if not layout.furniture(sec_lines[j])), None)
            if nxt is not None and re.match(r"^[^\W\d_].{1,150}$", sec_lines[nxt].text):
                cands.append((idx, int(m.group("num") or m.group("inum")), sec_lines[nxt].text, nxt))
    chain = [cands[c] for c in _longest_consecutive([(c[0], c[1]) for c in cands])]
    private_from = next((ln.start for ln in sec_lines if ln.text.lower() == "private business"), None)
    out: list[Minute] = []
    for n, (idx, num, title, tidx) in enumerate(chain):
        if _wrapped_title(sec_lines, tidx, layout):  # a long title set over two lines
            title, tidx = f"{title} {sec_lines[tidx + 1].text}", tidx + 1
        title_line = sec_lines[tidx]
        body_end = sec_lines[chain[n + 1][0]].start if n + 1 < len(chain) else end
        body = trim_span(text, title_line.end, max(body_end, title_line.end))
        # a "Private Business" heading just before the next minute is not part of this body
        tail = text[body[0]:body[1]]
        for marker in ("Private Business", "Public Business"):
            if tail.rstrip("*# \n").endswith(marker):
                body = trim_span(text, body[0], body[0] + tail.rstrip("*# \n").rfind(marker))
        out.append(Minute(
            number=str(num), title=clean(title).strip().rstrip(".:").strip(), title_line=title_line,
            body_span=body, resolutions=tuple(find_resolutions(text, body)),
            cross_refs=tuple(find_cross_refs(text, body)),
            private=private_from is not None and title_line.start > private_from,
        ))
    return out


def _wrapped_title(lines: list[Line], k: int, layout: Layout) -> bool:
    """The line after a long title, with no blank line between, ends that title: "Training (NEET)."."""
    if k + 1 >= len(lines) or len(lines[k].text) < 70 or layout.furniture(lines[k + 1]):
        return False
    nxt = lines[k + 1].text
    return len(nxt) <= 60 and (nxt.endswith((".", ")")) or nxt[:1].islower()) and not MINUTE_RE.match(nxt)


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
        if not points:
            blk = trim_span(text, block[0].start, block[-1].end)
            out.append(Resolution(None, _clean_block(text[blk[0]:blk[1]]), blk))
            continue
        for p, a, z in points:
            sp = trim_span(text, a, z)
            first_line, _, rest = text[sp[0]:sp[1]].partition("\n")
            body = POINT_RE.match(first_line)
            out.append(Resolution(p, _clean_block((body.group("rest") if body else "") + "\n" + rest), sp))
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
_LISTED_APPENDIX = re.compile(r"^Appendix\s+(?:[A-Z]|\d{1,2})\s*[-–:]\s*(?P<title>.{8,80})$", re.I)
BLANK_PAGE = "this page is intentionally left blank"
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
    last_doc_line = -10
    for i, ln in enumerate(lines):
        if not free(ln):
            continue
        kind = _anchor_kind(lines, i, last_doc_line, listed)
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
        page_top = _line_at(lines, layout.page_top(lines[i].start))
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
        segs.append(DocSegment(kind, start, anchor=i))
    # text before the first cover (a whole file with no cover of its own) is a "leading" segment
    first = next((k for k, ln in enumerate(lines) if free(ln) and not layout.furniture(ln)), None)
    if first is not None and (not segs or lines[first].start < segs[0].start):
        segs.insert(0, DocSegment("leading", snap_to_page(lines, first, layout), anchor=first))
    # close segments, drop those without content, read titles
    out: list[DocSegment] = []
    for n, seg in enumerate(segs):
        nxt = segs[n + 1].start if n + 1 < len(segs) else len(text)
        nxt = min([s for s in taken_starts if s > seg.start] + [nxt])
        following = lines[seg.anchor + 1:_line_at(lines, nxt)]
        seg.end = next((ln.start for ln in following if ln.text.lower() == BLANK_PAGE), nxt)
        if seg.kind == "continuation":
            # a blank page in the middle of a segment ends that one; what follows
            # without a cover of its own continues the same agenda item
            seg.start = next((ln.start for ln in following
                              if ln.start < seg.end and not layout.furniture(ln)), seg.end)
        seg.start, seg.end = trim_span(text, seg.start, seg.end)
        content = [ln for ln in lines[_line_at(lines, seg.start):_line_at(lines, seg.end)]
                   if not layout.furniture(ln)]
        if sum(len(ln.text) for ln in content) < 40:
            continue
        _read_title(seg, content)
        out.append(seg)
    return out


def _last_taken_line(lines: list[Line], i: int, taken: list[Span]) -> int:
    before = [b for a, b in taken if b <= lines[i].start]
    return _line_at(lines, max(before)) - 1 if before else -1


def _standalone_appendix(lines: list[Line], i: int) -> bool:
    """"Appendix A" as a heading, not a line in a list of appendices."""
    def nb(step: int) -> str:
        k = i + step
        while 0 <= k < len(lines) and not lines[k].text:
            k += step
        return lines[k].text if 0 <= k < len(lines) else ""
    return not (APPENDIX_RE.match(nb(-1)) or APPENDIX_RE.match(nb(1)))


_AUTHOR_LINE = re.compile(r"^(?:Authors?|Report Author)s?\s*:\s*(.+)$", re.I)


def _read_title(seg: DocSegment, content: list[Line]) -> None:
    """Subject line, else the first content line that is not a council name; author if stated."""
    for ln in content[:30]:
        m = SUBJECT_RE.match(ln.text)
        if m:
            seg.title = m.group("title").strip()
            break
    if seg.kind == "work_programme":
        seg.title = seg.title or "Work Programme"
    if seg.title is None and content:
        first = [ln.text for ln in content[:3] if not COUNCIL_RE.match(ln.text)]
        seg.title = (first[0] if first else content[0].text)[:120]
    for ln in content:
        m = _AUTHOR_LINE.match(ln.text)
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
