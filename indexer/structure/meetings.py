"""Meetings from their agenda front sheets: committee, date, time, place and the item list.

:func:`find_front_sheet` reads a ModernGov sheet (committee, "Time and Date", place,
numbered items with their "(Pages 9 - 14)" ranges and authors), a notice ("You are
requested to attend a Meeting of ... on 6th March, 2019 at 10.00 a.m."), or a labelled
sheet ("Public Document Pack", the committee, "Date: ...", "Time: ...", "Venue: ...", then
the numbered agenda).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from indexer.common.dates import MONTHS, find_date, parse_time
from indexer.common.models import Span
from indexer.structure.common import (
    COUNCIL_RE,
    MONTH_NAMES,
    PLACE_RE,
    Layout,
    Line,
    committee_name,
    join_lines,
    longest_consecutive,
    next_nonblank,
    norm_heading,
)
from indexer.structure.documents import BRIEFING_RE, STAMP_RE, SUBJECT_RE
from indexer.structure.minutes import MINUTES_WORD_RE

AGENDA_ITEM_RE = re.compile(
    r"^(?P<num>\d{1,2})\.?\s+(?P<title>.+?)\s*(?:\(Pages?\s+(?P<p1>\d+)(?:\s*[-–]\s*(?P<p2>\d+))?\))?\s*$"
)
AUTHOR_RE = re.compile(r"^((?:Joint )?(?:Briefing Note|Report|Note)s? of (?:the )?.+)$", re.I)
# "You are requested to attend a Meeting of X to be held in ... on <date> at <time>"
NOTICE_RE = re.compile(
    r"(?:(?:requested|invited) to attend|ha(?:s|ve) called|convened) [^.]{0,60}?meeting"
    r" (?:to consider [^.]{3,80}? (?:for|of) |of )(?:the )?(?P<committee>.{3,160}?)"
    r",?\s+(?=to be held|which will be held|will be held|on (?:mon|tues|wednes|thurs|fri|satur|sun)day\b|on \d)"
    r"|\b(?:an? |the )(?:[\w-]+ )?meeting of (?:the )?(?P<committee2>.{3,160}?),?\s+(?:will|is to)"
    r" (?:be(?: an? (?:[\w-]+ ){0,2}meeting)? held|take place)\b",
    re.I,
)


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
    return _moderngov_sheet(lines, layout) or _notice_sheet(lines) or _labelled_sheet(lines, layout)


def _moderngov_sheet(lines: list[Line], layout: Layout) -> FrontSheet | None:
    head = lines[:120]
    td = next((i for i, ln in enumerate(head) if ln.text.lower() in ("time and date", "date and time")), None)
    if td is None:
        return None
    committee = next((head[j].text for j in range(td - 1, -1, -1) if not layout.furniture(head[j])), None)
    j = next_nonblank(head, td)
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
            k = next_nonblank(lines, i)
            place = lines[k].text if k is not None else None
        elif low == "public business":
            in_agenda = True
        elif low == "private business":
            in_agenda, private = True, True
        elif in_agenda and (low.startswith(("notes:", "membership:")) or MINUTES_WORD_RE.match(t)
                            or BRIEFING_RE.match(t) or SUBJECT_RE.match(t)):
            break  # the front sheet ends at its notes, or where the next document begins
        elif in_agenda and (m := AGENDA_ITEM_RE.match(t)):
            k = next_nonblank(lines, i)
            author = lines[k].text if k is not None and AUTHOR_RE.match(lines[k].text) else None
            p1, p2 = m.group("p1"), m.group("p2")
            entries.append(AgendaEntry(
                number=m.group("num"), title=m.group("title").strip().rstrip("."),
                page_start=int(p1) if p1 else None,
                page_end=int(p2 or p1) if p1 else None,
                author=author, private=private, line=lines[i],
            ))
    council = next((ln.text for ln in lines[:400] if COUNCIL_RE.match(ln.text)), None)
    entries = [entries[k] for k in longest_consecutive([(k, int(e.number)) for k, e in enumerate(entries)])]
    return FrontSheet(committee, found[0] if found else None, parse_time(head[j].text), place,
                      council, tuple(entries), (lines[0].start if lines else 0, lines[-1].end if lines else 0))


_NOTICE_HINT = re.compile(r"\b(?:attend|held)\b", re.I)
# where the notice's sentence ends and the agenda (with other meetings' dates) begins
_NOTICE_END = re.compile(r"\b(?:The business|The Agenda|AGENDA|Is mise|Yours)\b")
_AGENDA_NUM_RE = re.compile(r"^(?:Item\s+)?(?P<num>\d{1,2})\s*[.:]\s*(?P<title>[^\W\d_].{1,150})?$", re.I)


def _notice_sheet(lines: list[Line]) -> FrontSheet | None:
    """A notice of meeting: "... requested to attend a Meeting of X ... on <date> at <time>"."""
    for i, ln in enumerate(lines[:150]):
        if MINUTES_WORD_RE.match(ln.text):
            break  # a notice comes before any minutes
        if not _NOTICE_HINT.search(ln.text):
            continue
        window = join_lines(lines, max(0, i - 3), limit=8)
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
    r"(?:\s+of)?\s+(?P<month>" + MONTH_NAMES + r")\b", re.I)


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
            nxt = next_nonblank(lines, k)
            title = lines[nxt].text if nxt is not None and len(lines[nxt].text) < 150 else None
        if title:
            cands.append((k, int(m.group("num")), title))
    chain = longest_consecutive([(k, n) for k, n, _ in cands])
    return [AgendaEntry(str(cands[c][1]), cands[c][2].strip().rstrip(".:"), None, None, None, False,
                        lines[cands[c][0]]) for c in chain]


# ------------------------------------------------------------------ "Date: ..." sheets

_LABEL = re.compile(r"^(?P<label>date(?: and time)?|time|venue|place|location|meeting|committee)\s*[:–-]\s*"
                    r"(?P<value>\S.*)$", re.I)
_SHEET_MARK = re.compile(r"^(?:public document pack|agenda|notice of (?:the )?meeting|supplementary agenda"
                         r"|supplement\b.*|summons)$", re.I)
_NOT_COMMITTEE = re.compile(r"^(?:public document pack|agenda|notice of|supplementary|summons|to\b|dear\b"
                            r"|membership|members?\b|contact|enquiries|date\b|page\b)", re.I)
_PART_TWO = re.compile(r"^(?:part\s+(?:2|ii|b)\b|private business|exempt (?:items|information))", re.I)


def _labelled_sheet(lines: list[Line], layout: Layout) -> FrontSheet | None:
    """A sheet that labels its facts: "Date: Thursday, 13th March, 2025", "Time: 3.00 pm"."""
    head = lines[:80]
    labels: dict[str, tuple[int, str]] = {}
    for i, ln in enumerate(head):
        if (m := _LABEL.match(ln.text)) and not layout.furniture(ln):
            labels.setdefault(m.group("label").lower().split()[0], (i, m.group("value").strip()))
    if "date" not in labels:
        return None
    found = find_date(norm_heading(labels["date"][1]))
    if found is None:
        return None
    first = min(i for i, _ in labels.values())
    named = labels.get("meeting") or labels.get("committee")
    above = [head[k].text for k in range(first - 1, -1, -1)
             if not layout.furniture(head[k]) and not _NOT_COMMITTEE.match(head[k].text)
             and len(head[k].text) <= 100 and not head[k].text.endswith((".", ","))]
    # the committee's line, nearest the date; a full council meeting's is a council's name ("County Council")
    raw = named[1] if named else next((t for t in above if not COUNCIL_RE.match(t)), above[0] if above else None)
    if not raw:
        return None
    committee, council_in_name = committee_name(raw)
    entries: list[AgendaEntry] = []
    private = False
    for i in range(max(i for i, _ in labels.values()) + 1, len(lines)):
        t = lines[i].text
        if STAMP_RE.match(t) or BRIEFING_RE.match(t) or SUBJECT_RE.match(t):
            break
        if _PART_TWO.match(t):
            private = True
        elif (m := AGENDA_ITEM_RE.match(t)) and not layout.furniture(lines[i]):
            k = next_nonblank(lines, i)
            author = lines[k].text if k is not None and AUTHOR_RE.match(lines[k].text) else None
            p1, p2 = m.group("p1"), m.group("p2")
            entries.append(AgendaEntry(m.group("num"), m.group("title").strip().rstrip("."),
                                       int(p1) if p1 else None, int(p2 or p1) if p1 else None,
                                       author, private, lines[i]))
    entries = [entries[k] for k in longest_consecutive([(k, int(e.number)) for k, e in enumerate(entries)])]
    if not any(_SHEET_MARK.match(ln.text) for ln in head[:first + 1]):
        return None  # a report's "Date:" line and numbered sections, not a sheet
    council = council_in_name or next((ln.text for ln in head if COUNCIL_RE.match(ln.text)), None)
    time_text = labels["time"][1] if "time" in labels else labels["date"][1]
    place = (labels.get("venue") or labels.get("place") or labels.get("location") or (0, None))[1]
    return FrontSheet(committee, found[0], parse_time(time_text), place, council, tuple(entries),
                      (lines[0].start, lines[-1].end))
