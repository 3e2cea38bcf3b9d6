"""What a paper's file name says, by ModernGov's conventions: kind, meeting, date, item, title.

ModernGov names the papers it generates for a meeting ``<kind> <day>-<Mon>-<year> <HH.MM>
<committee>``: "Public reports pack 13th-Mar-2025 15.00 Cabinet.pdf", "Agenda frontsheet
13th-Mar-2025 15.00 Cabinet.pdf", "Printed minutes 13th-Mar-2025 15.00 Cabinet.pdf". Papers
uploaded by officers keep the name they were given: "Item 7 Appendix B - Fees.pdf", "EqIA
Waste Strategy.pdf", "CPP Minutes 29.10.24.pdf". Downloads add their own noise: "%20" for a
space, "(1)" for a second copy, a leading "03 " for the order on the page.

:func:`read_name` reads all of that into a :class:`FileName`. Nothing here knows any council:
the words are ModernGov's and UK local government's (minutes, supplement, EqIA, DPIA ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path
from urllib.parse import unquote

from indexer.common.dates import MONTHS, find_date

# "13th-Mar-2025 15.00 Cabinet" (the time is sometimes left out)
_MODERNGOV = re.compile(
    r"^(?P<kind>.*?)\s*\b(?P<day>\d{1,2})(?:st|nd|rd|th)?-(?P<mon>[A-Za-z]{3,9})-(?P<year>(?:19|20)\d{2})"
    r"(?:\s+(?P<h>\d{1,2})[.:](?P<m>\d{2}))?(?:\s+(?P<committee>\S.*?))?\s*$")
# "29.10.24", "10.12.2024", "29_10_24": day first, as UK papers write them
_NUMERIC_DATE = re.compile(r"(?<![\d.])(?P<d>\d{1,2})[._/-](?P<m>\d{1,2})[._/-](?P<y>\d{4}|\d{2})(?![\d.])")
_ITEM = re.compile(r"\b(?:agenda\s+)?item\s*(?:no\.?\s*)?(?P<n>\d{1,3})(?P<sub>[a-z]?)\b", re.I)
_ORDER_PREFIX = re.compile(r"^(?:\d{1,3}[a-z]?(?:[.)_-]|\s)\s*)+(?=[A-Za-z])")
_COPY_SUFFIX = re.compile(r"\s*(?:\(\d{1,2}\)|-\s?copy|\bcopy\b)\s*$", re.I)
_ABBR = re.compile(r"\b[A-Z][A-Z&]{1,7}\b")

# kinds, first match wins; "record" kinds record a meeting (which may not be the folder's)
KINDS: tuple[tuple[str, re.Pattern], ...] = tuple((k, re.compile(p, re.I)) for k, p in (
    ("frontsheet", r"\bfront\s?sheet\b"),
    ("pack", r"\b(?:reports?|document|agenda)\s+pack\b"),
    ("supplement", r"\bsupplement(?:ary)?\b"),
    ("questions", r"\bquestions?\b.*\banswers?\b|\bquestions? (?:put|and answers)\b"),
    ("decisions", r"\b(?:record of |printed |notice of )?decisions?\b|\bPROD\b"),
    ("minutes", r"\bminutes?\b"),
    ("recommendations", r"\brecommendations?\b"),
    ("notes", r"(?<!briefing )(?<!explanatory )\bnotes?\b"),
    ("amendments", r"\bamendments?\b"),
    ("eqia", r"\beq(?:ia|ias|ality impact assessment)\b|\bequality (?:and \w+ )?impact\b"),
    ("dpia", r"\bdpia\b|\bdata protection impact\b"),
    ("appendix", r"\bappendi(?:x|ces)\b|\bannex(?:e|es)?\b|\bschedule\s+\d"),
    ("agenda", r"^\s*agenda\b"),
))
RECORD_KINDS = frozenset({"minutes", "notes", "recommendations", "decisions"})
_KIND_TITLES = {"frontsheet": "Agenda frontsheet", "pack": "Reports pack", "supplement": "Supplementary agenda",
                "decisions": "Record of decisions", "questions": "Questions put and answers given",
                "minutes": "Minutes", "amendments": "Amendments"}


@dataclass(frozen=True)
class FileName:
    """What a file's name says (fields are None when it does not say)."""

    raw: str  # the file name as found
    stem: str  # decoded ("%20" -> " "), without the suffix, order prefix or copy marker
    kind: str | None  # one of KINDS' names
    date: date | None  # the meeting date in ModernGov's pattern, else any date the name carries
    start_time: time | None
    committee: str | None  # only from ModernGov's pattern: the committee's title as printed
    item: str | None  # "7" from "Item 7 ...", "7a" from "Item 7a"
    abbreviations: tuple[str, ...] = ()  # "CPP" in "CPP Minutes 29.10.24"
    moderngov: bool = False  # the name follows ModernGov's generated pattern
    label: str = ""  # the words before the date in ModernGov's pattern: "Public reports pack"

    @property
    def is_record(self) -> bool:
        """Minutes, notes, recommendations or decisions: the record of some meeting."""
        return self.kind in RECORD_KINDS

    @property
    def title(self) -> str:
        """A readable title: the name cleaned, or the kind for ModernGov's generated papers."""
        if self.moderngov:
            return self.label or _KIND_TITLES.get(self.kind or "", self.stem)
        return self.stem


def decoded(name: str) -> str:
    """"Budget%20Amendments.pdf" -> "Budget Amendments.pdf" (a name is decoded once)."""
    return unquote(name) if "%" in name else name


def numeric_date(text: str) -> tuple[date, int, int] | None:
    """The first day-first numeric date ("29.10.24", "10/12/2024") with its offsets."""
    for m in _NUMERIC_DATE.finditer(text):
        y = int(m.group("y"))
        year = y if y >= 1900 else 2000 + y
        try:
            return date(year, int(m.group("m")), int(m.group("d"))), m.start(), m.end()
        except ValueError:
            continue
    return None


def any_date(text: str) -> date | None:
    """A date written out ("14 November 2024", "2024-11-14") or in figures ("14.11.24")."""
    found = [f for f in (find_date(text), numeric_date(text)) if f]
    return min(found, key=lambda f: f[1])[0] if found else None


def read_name(path: str | Path) -> FileName:
    """Read a file name (see the module docstring)."""
    raw = Path(path).name
    stem = Path(decoded(raw)).stem.replace("_", " ")
    stem = re.sub(r"\s+", " ", _COPY_SUFFIX.sub("", stem)).strip()
    stem = _ORDER_PREFIX.sub("", stem).strip() or stem
    kind = next((k for k, rx in KINDS if rx.search(stem)), None)
    item = _ITEM.search(stem)
    m = _MODERNGOV.match(stem)
    when, start, committee, pattern, label = None, None, None, False, ""
    if m and m.group("mon")[:3].lower() in MONTHS:
        try:
            when = date(int(m.group("year")), MONTHS[m.group("mon")[:3].lower()], int(m.group("day")))
            pattern = True
        except ValueError:
            when = None
        if pattern and m.group("h"):
            h, mi = int(m.group("h")), int(m.group("m"))
            start = time(h, mi) if h < 24 and mi < 60 else None
        committee = ((m.group("committee") or "").strip(" -–,") or None) if pattern else None
        label = m.group("kind").strip(" -–,") if pattern else ""
    if when is None:
        when = any_date(stem)
    abbrs = tuple(a for a in _ABBR.findall(stem) if a not in ("PDF", "PROD", "EQIA", "DPIA", "AM", "PM"))
    return FileName(raw=raw, stem=stem, kind=kind, date=when, start_time=start, committee=committee,
                    item=(item.group("n") + item.group("sub").lower()) if item else None,
                    abbreviations=abbrs, moderngov=pattern, label=label)
