"""Minutes: the heading that names the meeting, numbered minutes, RESOLVED points, references.

:func:`find_minutes` finds each minutes heading ("Minutes of the Meeting of ... held at
... on ...", "MINUTES OF PROCEEDINGS AT MEETING OF ... HELD IN ... ON ...", or "A meeting
of ... was held" opening a file) that is followed by who was present, then its numbered
minutes, each minute's RESOLVED points and its "Further to minute 12/23" cross-references.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from indexer.common.dates import find_date, parse_time
from indexer.common.models import CrossRef, Resolution, Span
from indexer.structure.common import (
    COUNCIL_RE,
    PLACE_RE,
    Layout,
    Line,
    clean,
    committee_name,
    join_lines,
    longest_consecutive,
    snap_to_page,
    split_lines,
    trim_span,
)
from indexer.structure.documents import BLANK_PAGE

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
MINUTES_WORD_RE = re.compile(r"^(?:draft\s+)?minutes\b", re.I)
# "Minutes of a meeting held at County Hall on ...", under a line that names the body
_HELD_ONLY_RE = re.compile(r"^(?:draft |printed )?minutes of (?:the |an? )?(?:[\w'’-]+ ){0,2}?meeting,?\s+"
                           r"(?P<tail>(?:held|on)\b.+)$", re.I | re.S)
# "Minutes of the Corporate Parenting Panel held on Tuesday 29 October 2024 ..."
_OF_BODY_RE = re.compile(r"^(?i:(?:draft |printed )?minutes of (?:the )?)(?P<body>[A-Z][\w'’&(),. -]{2,100}?),?\s+"
                         r"(?P<tail>held\b.+)$", re.S)
_LABEL_LINE = re.compile(r"^[A-Z][\w ]{1,30}:\s")  # "Contact: ...", "Date: ..."
_NOT_BODY = re.compile(r"^(?:public document pack|agenda\b|page\b|appendix\b|item\b|\d)", re.I)
_A_MEETING_WORDS = re.compile(r"^(?:an?|the)\s+(?:\S+\s+){0,3}?meeting\b", re.I)
_OPENING_LINES = 25  # how far into a file an unlabelled "A meeting of ... was held" may open it
_HEAD_STOP = re.compile(
    r"^(?:present\b|members\b|in attendance\b|in the chair\b|apologies\b|attendance\b|\d{1,3}\.\s)", re.I)
_PRESENT_RE = re.compile(r"^(?:[\w’']+\s+){0,2}(?:present|in attendance|attendance|in the chair|attendees)\b", re.I)
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


def minutes_heading(lines: list[Line], i: int, opening: bool = False) -> MinutesHeading | None:
    """Read the minutes heading that starts on line ``i``, if it names a meeting and its date.

    ``opening``: line ``i`` is near the top of its file, where "A meeting of X was held on
    ..." without the word "minutes" opens the minutes of some committees.
    """
    t = lines[i].text
    if MINUTES_WORD_RE.match(t):
        rx = MINUTES_HEAD_RE
    elif opening and _A_MEETING_WORDS.match(t):
        rx = A_MEETING_RE
    else:
        return None
    window = join_lines(lines, i, limit=24, stop=_HEAD_STOP)[:600]
    m = rx.match(window)
    if not m:
        return _heading_under_body(lines, i, window) if rx is MINUTES_HEAD_RE else None
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


def body_above(lines: list[Line], i: int) -> tuple[str | None, str | None, int]:
    """(body, council, its line) named on the lines just above line ``i``: "Corporate Parenting Panel"."""
    body = council = None
    at = i
    seen = 0
    councils: list[tuple[str, int]] = []
    for k in range(i - 1, max(-1, i - 12), -1):
        t = lines[k].text
        if not t:
            continue
        seen += 1
        if _LABEL_LINE.match(t) or t.endswith((".", ",", ";")) or len(t) > 100:
            break  # a label ("Contact: ...") or prose: the heading block ends here
        if COUNCIL_RE.match(t):
            councils.append((t, k))
        elif body is None and not _NOT_BODY.match(t):
            body, at = t, k
        if seen >= 4:
            break
    if councils:
        council = councils[-1][0]
        if body is None:  # a full council meeting: "Harrowmere County Council" over "County Council"
            body, at = councils[0]
            council = councils[-1][0] if len(councils) > 1 else None
    return body, council, at


def _heading_under_body(lines: list[Line], i: int, window: str) -> MinutesHeading | None:
    m = _HELD_ONLY_RE.match(window)
    if m is None and (m := _OF_BODY_RE.match(window)) and "meeting" not in m.group("body").lower():
        body, council, at = m.group("body"), None, i
    else:
        body, council, at = body_above(lines, i) if m else (None, None, i)
    if not body:
        return None
    committee, named_council = committee_name(body)
    after = m.group("tail")
    found = find_date(after)
    if found is None or not committee:
        return None
    place = PLACE_RE.search(after)
    return MinutesHeading(at, committee, named_council or council, found[0], parse_time(after[found[2]:])
                          or parse_time(after), place.group("place") if place else None)


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


def read_minutes(text: str, sec_lines: list[Line], end: int, layout: Layout = Layout()) -> list[Minute]:
    """The numbered minutes among ``sec_lines`` (the longest run 1, 2, 3 ...), up to ``end``."""
    return _read_minutes(text, sec_lines, end, layout)


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
    chain = [cands[c] for c in longest_consecutive([(c[0], c[1]) for c in cands])]
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

