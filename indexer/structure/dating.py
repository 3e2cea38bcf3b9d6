"""Which meeting a folder's papers are for, from each source of evidence, and naming a body.

The meeting a unit publishes papers for is read field by field from, in order:

1. ``meeting.json`` (read by the reader's ``_meta_from_json``);
2. the papers' own front sheet or heading;
3. ModernGov's file names ("Public reports pack 13th-Mar-2025 15.00 Cabinet.pdf"):
   :func:`meta_from_names`;
4. the nearest dated folder above the papers (``<committee>/<YYYY-MM-DD>/``):
   :func:`meta_from_folder`, whose committee is a folder name made readable, used only when
   nothing printed names the committee.

:func:`refusal` words the error for a unit none of them dates. :func:`same_body` tells
whether two printed names are one committee ("Scrutiny Board (2)" and "Education and
Children's Services Scrutiny Board (2)"), so minutes of the body's earlier meetings share its
name as the front sheet prints it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, time
from difflib import SequenceMatcher
from pathlib import Path

from indexer.common.models import slugify
from indexer.ingest.folders import nearest_folder_date
from indexer.ingest.names import FileName

_PAPER_KINDS = ("frontsheet", "pack", "supplement")  # generated for the meeting itself
_SMALL = {"and", "of", "the", "for", "in", "on", "at", "to"}
# "Monthly Meeting of the X", as an archive names a meeting's folder: the body is X
_MEETING_OF = re.compile(r"^(?:(?:monthly|special|annual|adjourned|full|ordinary|extraordinary|budget)\s+)*"
                         r"meeting\s+of\s+(?:the\s+)?", re.I)


@dataclass(frozen=True)
class MeetingMeta:
    committee: str | None = None
    date: date | None = None
    start_time: time | None = None
    place: str | None = None
    council: str | None = None


def readable_folder_name(name: str) -> str:
    """"county_council" -> "County Council"; a name already written with capitals is kept."""
    words = re.sub(r"[_]+|(?<=[a-z])-(?=[a-z])", " ", name).split()
    if any(c.isupper() for c in name):
        return " ".join(words)
    return " ".join(w if (w in _SMALL and k) else w.capitalize() for k, w in enumerate(words))


def meta_from_folder(path: Path) -> MeetingMeta | None:
    """The nearest dated folder at or above ``path``: its date, and its name made readable."""
    found = nearest_folder_date(path)
    if found is None:
        return None
    name = _MEETING_OF.sub("", found.name) if found.name else None
    return MeetingMeta(readable_folder_name(name) if name else None, found.date)


def meta_from_names(names: list[FileName], folder: MeetingMeta | None = None) -> MeetingMeta | None:
    """The meeting ModernGov's generated names agree on: the agenda and packs first, and, when
    the folder is dated, names of that date first."""
    cands = [n for n in names if n.moderngov and n.date and n.committee]
    if not cands:
        return None
    def rank(n: FileName) -> tuple:
        return (n.kind not in _PAPER_KINDS, bool(folder and folder.date and n.date != folder.date))
    best = min(rank(n) for n in cands)
    votes = Counter((n.committee, n.date) for n in cands if rank(n) == best)
    (committee, when), _ = max(votes.items(), key=lambda kv: (kv[1], -cands.index(
        next(n for n in cands if (n.committee, n.date) == kv[0]))))
    start = next((n.start_time for n in cands if (n.committee, n.date) == (committee, when) and n.start_time), None)
    return MeetingMeta(committee, when, start)


def _tokens(name: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9]+", name.lower().replace("'", "").replace("’", "")) if w not in _SMALL]


def same_body(a: str | None, b: str | None) -> bool:
    """Do two printed names name one body? Equal, or the shorter (two words or more) is inside
    the longer; an abbreviation ("CPP") matches the initials of the other."""
    if not a or not b:
        return False
    if slugify(a) == slugify(b):
        return True
    if min(len(a), len(b)) >= 15 and SequenceMatcher(None, slugify(a), slugify(b)).ratio() >= 0.93:
        return True  # one letter misread by OCR: "Cappamore-Kilmaliock"
    ta, tb = _tokens(a), _tokens(b)
    short, long_ = sorted((ta, tb), key=len)
    if len(short) >= 2 and set(short) <= set(long_):
        return True
    for x, y in ((a, tb), (b, ta)):
        if re.fullmatch(r"[A-Z&]{2,8}", x.strip()) and "".join(w[0] for w in y) == x.strip().lower():
            return True
    return False


def refusal(names: list[FileName], had_json: bool, found_text: bool) -> str:
    """Why no meeting could be given to these papers: each source tried, and what it lacked."""
    dated = [n.raw for n in names if n.date]
    name_note = "none in ModernGov's pattern \"<kind> 13th-Mar-2025 15.00 <committee>\"" + (
        f", a date but no committee in {', '.join(dated[:3])}" if dated else "")
    text_note = "a heading without a full date" if found_text else "no front sheet, notice or minutes heading"
    return (f"no recognisable meeting (tried meeting.json: {'no date or committee' if had_json else 'none'}; "
            f"the papers' own front sheet or heading: {text_note}; the file name: {name_note}; "
            "a dated folder above: none, expected <committee>/<YYYY-MM-DD>/)")
