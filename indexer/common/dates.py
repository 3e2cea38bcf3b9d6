"""Dates and times as council papers print them: "10.00 am on Thursday, 9th January, 2020"."""

from __future__ import annotations

import re
from datetime import date, time

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}

MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
# "9th January, 2020", "16 March 2023", "Thursday 9 January 2020"
DATE_RE = re.compile(
    rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:\s+of)?\s+(?P<month>{MONTH_RE})\.?,?\s+(?P<year>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
# "January 9, 2020"
DATE_US_RE = re.compile(
    rf"\b(?P<month>{MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d{{2}})\b",
    re.IGNORECASE,
)
ISO_DATE_RE = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b")
# "10.00 am", "2:00pm", "10am", "12 noon"
TIME_RE = re.compile(
    r"\b(?P<h>\d{1,2})(?:[.:](?P<m>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?|noon)(?![a-z])",
    re.IGNORECASE,
)


def _month(token: str) -> int:
    return MONTHS[token.lower().rstrip(".")[:3] if token.lower()[:4] != "sept" else "sep"]


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_date(text: str) -> tuple[date, int, int] | None:
    """The first written date in ``text`` with its (start, end) offsets."""
    best: tuple[date, int, int] | None = None
    for rx in (DATE_RE, DATE_US_RE, ISO_DATE_RE):
        for m in rx.finditer(text):
            month = m.group("month")
            mo = int(month) if month.isdigit() else _month(month)
            d = _safe_date(int(m.group("year")), mo, int(m.group("day")))
            if d is None:
                continue
            if best is None or m.start() < best[1]:
                best = (d, m.start(), m.end())
            break
    return best


def parse_date(text: str) -> date | None:
    found = find_date(text)
    return found[0] if found else None


def parse_time(text: str) -> time | None:
    m = TIME_RE.search(text)
    if not m:
        return None
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    ampm = m.group("ampm").lower().replace(".", "")
    if ampm == "noon":
        return time(12, 0)
    if hour > 12 or minute > 59:
        return None
    if ampm == "pm" and hour != 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    return time(hour, minute)


def long_date(d: date) -> str:
    """28 November 2019."""
    return f"{d.day} {d.strftime('%B %Y')}"
