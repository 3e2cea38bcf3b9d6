"""The public pages, for sites whose web service is missing or refuses: the same records as
:mod:`service`, read from ``mgListCommittees.aspx``, ``ieListMeetings.aspx?CId=N`` and
``ieListDocuments.aspx?CId=N&MId=N`` with the standard library's HTML parser.

ModernGov's markup: committees and meetings are plain links carrying their ids (``CId=``,
``ID=``, ``MId=``); a meeting page lists its documents (the agenda pack, the minutes) and then a
table of agenda items, each row an item-number cell (``mgItemNumberCell``), its title
(``mgAiTitleTxt``) and links to its documents; a link's text ends with its size ("PDF 120 KB").
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from indexer.common.dates import parse_date
from indexer.ingest.moderngov.service import AgendaItem, Committee, LinkedDoc, MeetingDetail, MeetingRef, clean

COMMITTEES_PAGE = "mgListCommittees.aspx"


def meetings_page(committee_id: int) -> str:
    return f"ieListMeetings.aspx?CId={committee_id}&Year=0"


class _Links(HTMLParser):
    """Every link (href, text), and, on a meeting page, which agenda item each one sits in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str, int | None]] = []  # href, text, item index
        self.items: list[list[str]] = []  # [number, title]
        self._href: str | None = None
        self._text: list[str] = []
        self._cell: str | None = None  # "number" or "title" while inside one
        self._cell_text: list[str] = []
        self._title_depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class") or ""
        if tag == "td" and "mgItemNumberCell" in cls:
            self.items.append(["", ""])
            self._cell, self._cell_text = "number", []
        elif (tag in ("p", "div", "span") and "mgAiTitleTxt" in cls and self._cell is None and self.items
              and not self.items[-1][1]):
            self._cell, self._cell_text, self._title_depth = "title", [], 1
        elif self._cell == "title" and tag in ("p", "div", "span"):
            self._title_depth += 1
        if tag == "a" and a.get("href"):
            self._href, self._text = a["href"], []

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split()),
                               len(self.items) - 1 if self.items else None))
            self._href = None
        if self._cell == "number" and tag == "td":
            self.items[-1][0] = " ".join("".join(self._cell_text).split()).rstrip(".")
            self._cell = None
        elif self._cell == "title" and tag in ("p", "div", "span"):
            self._title_depth -= 1
            if self._title_depth <= 0:
                self.items[-1][1] = " ".join("".join(self._cell_text).split())
                self._cell = None

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)
        if self._cell is not None:
            self._cell_text.append(data)


def _parse(body: bytes) -> _Links:
    p = _Links()
    p.feed(body.decode("utf-8", "replace"))
    p.close()
    return p


def _query(href: str) -> dict[str, str]:
    return {k.lower(): v[0] for k, v in parse_qs(urlsplit(href).query).items()}


def parse_committee_list(body: bytes) -> list[Committee]:
    seen: dict[int, Committee] = {}
    for href, text, _ in _parse(body).links:
        path = urlsplit(href).path.lower()
        q = _query(href)
        cid = q.get("cid") if "ielistmeetings" in path or "mgcommitteedetails" in path else None
        cid = cid or (q.get("id") if "mgcommitteedetails" in path else None)
        if cid and cid.isdigit() and text and int(cid) not in seen:
            seen[int(cid)] = Committee(int(cid), clean(text))
    return list(seen.values())


def parse_meeting_list(body: bytes, committee_id: int, date_from: date | None = None,
                       date_to: date | None = None) -> list[MeetingRef]:
    out: dict[int, MeetingRef] = {}
    for href, text, _ in _parse(body).links:
        q = _query(href)
        if "ielistdocuments" not in urlsplit(href).path.lower() or not q.get("mid", "").isdigit():
            continue
        when = parse_date(text)
        if when is None or (date_from and when < date_from) or (date_to and when > date_to):
            continue
        status = "cancelled" if "cancel" in text.lower() else None
        out.setdefault(int(q["mid"]), MeetingRef(int(q["mid"]), committee_id, when, status))
    return sorted(out.values(), key=lambda m: (m.date, m.id))


_SIZE = re.compile(r"\s*(?:PDF|HTML|DOC|DOCX)?\s*[\d.,]+\s*[KMG]B\s*$", re.I)
_DOC_HREF = re.compile(r"(mgConvert2PDF\.aspx$|(^|/)documents/|\.pdf$)", re.I)


def parse_meeting_page(body: bytes, ref: MeetingRef, committee: str) -> MeetingDetail:
    p = _parse(body)
    m = MeetingDetail(id=ref.id, committee_id=ref.committee_id, committee=committee, date=ref.date,
                      status=ref.status)
    m.items = [AgendaItem(num or None, clean(title)) for num, title in p.items]
    seen: set[tuple[int | None, str]] = set()
    for href, text, idx in p.links:
        if not _DOC_HREF.search(urlsplit(href).path):
            continue
        key = (idx, href)
        if key in seen:
            continue
        seen.add(key)
        q = _query(href)
        att = q.get("id")
        doc = LinkedDoc(clean(_SIZE.sub("", text)) or href.rsplit("/", 1)[-1], href,
                        int(att) if att and att.isdigit() else None)
        (m.items[idx].documents if idx is not None and idx < len(m.items) else m.documents).append(doc)
    return m
