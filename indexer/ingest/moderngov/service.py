"""ModernGov's web service (``mgWebService.asmx``), read over plain GET, and what it describes.

Three calls are enough: ``GetCommittees?lDays=0`` (the committees), ``GetMeetings?lCommitteeId=N
&sFromDate=dd/mm/yyyy&sToDate=dd/mm/yyyy`` (a committee's meetings) and ``GetMeeting?lMeetingId=N``
(one meeting's agenda items and their linked documents). What real installs do, and what we do:

- ``GetMeetings`` often ignores the dates and returns the whole history: we filter on
  ``<meetingdate>`` ourselves.
- Titles arrive HTML-escaped and then XML-escaped (``&amp;amp;``): we unescape what XML leaves.
- Answers may carry a namespace, or none; tag names are matched without it, in lower case.

Parsing uses defusedxml, so a hostile answer (entity expansion, external entities) is refused.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET

SERVICE = "mgWebService.asmx"


class ServiceUnusable(Exception):
    """The web service is missing, refused, or answered something that is not its XML."""


@dataclass(frozen=True)
class Committee:
    id: int
    title: str
    deleted: bool = False


@dataclass(frozen=True)
class MeetingRef:
    id: int
    committee_id: int
    date: date
    status: str | None = None


@dataclass(frozen=True)
class LinkedDoc:
    title: str
    url: str
    attachment_id: int | None = None
    restricted: bool = False


@dataclass
class AgendaItem:
    number: str | None
    title: str
    documents: list[LinkedDoc] = field(default_factory=list)


@dataclass
class MeetingDetail:
    id: int
    committee_id: int
    committee: str
    date: date
    start_time: str | None = None
    place: str | None = None
    status: str | None = None
    agenda_published: bool | None = None
    minutes_published: bool | None = None
    items: list[AgendaItem] = field(default_factory=list)
    documents: list[LinkedDoc] = field(default_factory=list)  # not under any item (agenda pack, minutes)


# ------------------------------------------------------------------ the calls

def committees_url() -> str:
    return f"{SERVICE}/GetCommittees?lDays=0"


def meetings_url(committee_id: int, date_from: date | None, date_to: date | None) -> str:
    lo, hi = date_from or date(1990, 1, 1), date_to or date(2099, 12, 31)
    return (f"{SERVICE}/GetMeetings?lCommitteeId={committee_id}"
            f"&sFromDate={lo:%d/%m/%Y}&sToDate={hi:%d/%m/%Y}")


def meeting_url(meeting_id: int) -> str:
    return f"{SERVICE}/GetMeeting?lMeetingId={meeting_id}"


def meeting_page(committee_id: int, meeting_id: int) -> str:
    """The meeting's public page (what a member would forward)."""
    return f"ieListDocuments.aspx?CId={committee_id}&MId={meeting_id}"


# ------------------------------------------------------------------ parsing

def parse_committees(body: bytes) -> list[Committee]:
    root = _root(body, "committee")
    out = []
    for el in _all(root, "committee"):
        cid, title = _int(_text(el, "committeeid")), clean(_text(el, "committeetitle"))
        if cid is not None and title:
            out.append(Committee(cid, title, _bool(_text(el, "committeedeleted")) or False))
    return out


def parse_meetings(body: bytes, committee_id: int, date_from: date | None = None,
                   date_to: date | None = None) -> list[MeetingRef]:
    """The committee's meetings within the dates (whatever dates the service itself applied)."""
    root = _root(body, "meeting")
    out = []
    for el in _all(root, "meeting"):
        mid, when = _int(_text(el, "meetingid")), service_date(_text(el, "meetingdate"))
        if mid is None or when is None:
            continue
        if (date_from and when < date_from) or (date_to and when > date_to):
            continue
        out.append(MeetingRef(mid, committee_id, when, clean(_text(el, "meetingstatus")) or None))
    return sorted(out, key=lambda m: (m.date, m.id))


def parse_meeting(body: bytes, ref: MeetingRef, committee: str) -> MeetingDetail:
    root = _root(body, "meeting")
    el = root if _local(root.tag) == "meeting" else next(iter(_all(root, "meeting")), root)
    when = service_date(_text(el, "meetingdate")) or ref.date
    m = MeetingDetail(
        id=ref.id, committee_id=ref.committee_id, committee=clean(_text(el, "committeetitle")) or committee,
        date=when, start_time=clean(_text(el, "meetingtime")) or None,
        place=clean(_text(el, "meetinglocation") or _text(el, "meetingvenue")) or None,
        status=clean(_text(el, "meetingstatus")) or ref.status,
        agenda_published=_bool(_text(el, "agendapublished")),
        minutes_published=_bool(_text(el, "minutepublished") or _text(el, "minutespublished")))
    items_el = _child(el, "agendaitems")
    for it in (_children(items_el, "agendaitem") if items_el is not None else []):
        docs = _child(it, "linkeddocuments")
        m.items.append(AgendaItem(clean(_text(it, "agendaitemnumber")).rstrip(".") or None,
                                  clean(_text(it, "agendaitemtitle")), _docs(docs)))
    m.documents = _docs(_child(el, "linkeddocuments"))
    return m


def _docs(parent: Element | None) -> list[LinkedDoc]:
    out = []
    for d in (_children(parent, "linkeddoc") if parent is not None else []):
        url = (_text(d, "url") or "").strip()
        if url:
            out.append(LinkedDoc(clean(_text(d, "title")) or url.rsplit("/", 1)[-1], html.unescape(url),
                                 _int(_text(d, "attachmentid")), bool(_bool(_text(d, "isrestricted")))))
    return out


# ------------------------------------------------------------------ small helpers

_TAG = re.compile(r"<[^>]{0,200}>")


def clean(text: str | None) -> str:
    """A title as a person reads it: what XML left escaped unescaped (``&amp;amp;`` -> ``&``),
    markup dropped, spaces collapsed."""
    if not text:
        return ""
    for _ in range(3):
        new = html.unescape(text)
        if new == text:
            break
        text = new
    return " ".join(_TAG.sub(" ", text).split())


_DMY = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def service_date(text: str | None) -> date | None:
    """``13/03/2025`` (the service's dd/mm/yyyy, perhaps with a time) or ISO."""
    if not text:
        return None
    try:
        if m := _DMY.search(text):
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        if m := _ISO.search(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return None


def _root(body: bytes, expect: str) -> Element:
    try:
        root = SafeET.fromstring(body)
    except Exception as exc:  # not XML at all: an error page, a login page, HTML
        head = body[:80].decode("utf-8", "replace").strip().replace("\n", " ")
        raise ServiceUnusable(f"answered something that is not XML ({type(exc).__name__}: {head!r})") from None
    if _local(root.tag) != expect and not any(True for _ in _all(root, expect)) \
            and _local(root.tag) not in (expect + "s", "get" + expect + "s", "get" + expect):
        raise ServiceUnusable(f"answered XML without <{expect}> (root <{_local(root.tag)}>)")
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _all(el: Element, name: str):
    return [e for e in el.iter() if _local(e.tag) == name]


def _children(el: Element, name: str):
    return [e for e in el if _local(e.tag) == name]


def _child(el: Element, name: str) -> Element | None:
    return next((e for e in el if _local(e.tag) == name), None)


def _text(el: Element, name: str) -> str:
    c = _child(el, name)
    return (c.text or "") if c is not None else ""


def _int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def _bool(text: str) -> bool | None:
    t = (text or "").strip().lower()
    return True if t in ("true", "1", "yes") else False if t in ("false", "0", "no") else None
