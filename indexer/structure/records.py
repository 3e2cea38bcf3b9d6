"""Records of another meeting filed with a later one: minutes, notes, recommendations.

A council meeting's papers carry the records of other bodies and earlier meetings: "CPP
Minutes 29.10.24.pdf" (a panel's minutes), "Notes of the Highways Advisory Group meeting held
on 14 November 2024", "Recommendations of the Overview and Scrutiny Management Board, 10
December 2024". Their facts belong to the meeting they record, so :func:`find_record` reads,
from a document's first lines, the name of the file and the agenda line it is listed under:

- the kind of record (minutes, notes, recommendations);
- the body, from the heading ("Notes of the X meeting", or the line above "Minutes of a
  meeting held on ..."), the agenda line ("Minutes of the X held on ..."), or an abbreviation
  in the file name ("CPP") spelled out by the heading or the papers' "Long Form (ABBR)";
- the date, written out or in figures ("29.10.24"), from the same places in the same order.

Nothing names a particular council's bodies: an abbreviation nothing spells out stays as printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from indexer.common.acronyms import definitions
from indexer.common.dates import find_date
from indexer.ingest.names import FileName, any_date, numeric_date
from indexer.structure.common import COUNCIL_RE, committee_name, norm_heading
from indexer.structure.titles import is_title_line

_KIND = r"(?P<kind>minutes|notes?|recommendations?)"
# "Notes of the Highways Advisory Group meeting held on ...", "Recommendations from the meeting of X on ..."
_HEAD_OF = re.compile(rf"^(?:draft |printed |confirmed )?{_KIND}\s+(?:of|from)\s+(?:the |an? )?"
                      r"(?:(?:informal |special |extraordinary )?meeting\s+(?:of\s+(?:the\s+)?)?)?(?P<rest>.+)$", re.I)
# "Meeting note", "Minutes", "Notes and actions" alone on a line, under or over the body's name
_KIND_LINE = re.compile(r"^(?:draft |informal )?(?:meeting\s+)?(?P<kind>minutes|notes?|recommendations?)"
                        r"(?:\s+(?:and|&)\s+actions?)?\s*(?:[-–:,]\s*(?P<rest>.+))?$", re.I)
_BODY_END = re.compile(r"\s*(?:,|\s[-–]\s|\bmeeting\b|\bheld\b|\bon\s+(?:mon|tues|wednes|thurs|fri|satur|sun)day"
                       r"|\bon\s+\d|\bdated\b|\bto\s+(?:the\s+)?(?:cabinet|council|board|committee)\b|\(|\d{1,2}[./]\d)",
                       re.I)
_HELD_ONLY = re.compile(r"^(?:a|the)?\s*meeting\b|^held\b", re.I)
_ABBR = re.compile(r"^[A-Z][A-Z&]{1,7}$")


@dataclass(frozen=True)
class Record:
    kind: str  # "minutes" | "notes" | "recommendations"
    committee: str | None  # None: the heading names no body (an earlier meeting of the same one)
    date: date
    council: str | None = None


def _kind(word: str) -> str:
    w = word.lower()
    return "minutes" if w.startswith("minute") else "notes" if w.startswith("note") else "recommendations"


def _body(rest: str) -> str | None:
    """The body's name at the start of ``rest``: up to "meeting", "held", a date or a comma."""
    if _HELD_ONLY.match(rest):
        return None
    cut = _BODY_END.search(rest)
    name = (rest[:cut.start()] if cut else rest).strip(" ,.:;-–")
    if not (2 <= len(name) <= 100) or not name[0].isalpha() or _date_only(name):
        return None
    return name


def spell_out(abbr: str, texts: Iterable[str]) -> str | None:
    """The long form of ``abbr`` in ``texts``: a "Long Form (ABBR)" definition, or a run of
    capitalised words whose initials spell it ("Corporate Parenting Panel" for CPP)."""
    texts = list(texts)
    for text in texts:
        for a, long in definitions(text):
            if a == abbr:
                return long
    letters = abbr.lower().replace("&", "")
    for text in texts:
        for line in text.split("\n")[:60]:
            words = re.findall(r"[A-Za-z][\w'’-]*", line)
            for i in range(len(words)):
                got, j, used = "", i, []
                while j < len(words) and len(got) < len(letters):
                    w = words[j]
                    if w.lower() in ("and", "of", "the", "for", "&") and used:
                        used.append(w)
                    elif w[0].isupper() and w[0].lower() == letters[len(got)]:
                        got += w[0].lower()
                        used.append(w)
                    else:
                        break
                    j += 1
                if got == letters and len(used) >= len(letters):
                    return " ".join(used)
    return None


def find_record(head: list[str], name: FileName | None = None, listed: str | None = None,
                texts: Iterable[str] = ()) -> Record | None:
    """The record a document is (see the module docstring), or None when it is not one.

    ``head``: the document's first non-blank lines; ``listed``: the agenda line it is listed
    under; ``texts``: where an abbreviation may be spelled out (the document, the agenda).
    """
    lines = [norm_heading(t) for t in head if t.strip()][:10]
    kind = body = when = None
    council = next((t for t in lines if COUNCIL_RE.match(t)), None)
    for k, t in enumerate(lines[:6]):
        if m := _HEAD_OF.match(t):
            kind, body = _kind(m.group("kind")), _body(m.group("rest"))
            rest = " ".join(lines[k:k + 3])
            when = _date(rest)
            if body is None:  # "Minutes of a meeting held on ...": the body is named above
                body = next((x for x in reversed(lines[:k]) if is_title_line(x) and not COUNCIL_RE.match(x)), None)
            break
        if k < 4 and (m := _KIND_LINE.match(t)) and len(t) < 60:
            near = [x for x in lines[max(0, k - 2):k + 3] if x is not t]
            found_body = (m.group("rest") and _body(m.group("rest"))) or next(
                (x for x in reversed(lines[:k]) if is_title_line(x) and not COUNCIL_RE.match(x) and not _date_only(x)),
                None)
            found_when = _date(" ".join([m.group("rest") or "", *near]))
            if found_body and found_when:  # a "Recommendations" section heading in a report is not one
                kind, body, when = _kind(m.group("kind")), found_body, found_when
                break
    if listed and (m := _HEAD_OF.match(norm_heading(listed))):
        kind = kind or _kind(m.group("kind"))
        body = body or _body(m.group("rest"))
        when = when or _date(listed)
    if name is not None and name.is_record and name.kind != "decisions":
        kind = kind or name.kind
        when = when or name.date
        if body is None and name.abbreviations:
            body = name.abbreviations[0]
    if kind is not None and when is None:  # "Meeting held on 10 December 2024" under the title
        when = _date(" ".join(lines[:6]))
    if kind is None or when is None:
        return None
    if body and _ABBR.match(body):
        body = spell_out(body, [*head, *texts]) or body
    committee, named_council = (body, None) if body and _ABBR.match(body) else (
        committee_name(body) if body else (None, None))
    return Record(kind, committee or None, when, named_council or council)


def _date(text: str):
    return any_date(norm_heading(text))


def _date_only(text: str) -> bool:
    found = find_date(text) or numeric_date(text)
    return bool(found and found[2] - found[1] >= len(text.strip()) - 12)
