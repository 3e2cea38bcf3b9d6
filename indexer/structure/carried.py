"""Minutes and other records a meeting's papers carry, as items of the meeting they record.

Minutes found by their heading (:func:`add_minutes`) and records found by
:mod:`indexer.structure.records` (:func:`add_record`) are dated by the meeting they record and
published for the meeting whose papers carried them (``Document.published_for``). Numbered
points become minute items; a record without numbered points (recommendations in prose) is one
item under its own title. Minutes are listed under the agenda line that presents them: the one
whose "(Pages a - b)" holds them, else one that names their date or body, else, for an
earlier meeting of the same body, the agenda's first "Minutes" line.
"""

from __future__ import annotations

from datetime import date

from indexer.common.dates import long_date
from indexer.common.models import Document, Item, Meeting, SourceText, slugify
from indexer.ingest.names import any_date
from indexer.structure.attach import make_document, title_similarity
from indexer.structure.builder import Builder
from indexer.structure.common import Layout, Line, line_at, trim_span
from indexer.structure.dating import same_body
from indexer.structure.documents import DocSegment
from indexer.structure.minutes import MinuteSection, read_minutes
from indexer.structure.pages import page_of, page_span, pdf_pages
from indexer.structure.records import Record

_RECORD_TITLES = {"minutes": "Minutes", "notes": "Notes", "recommendations": "Recommendations"}


def minutes_entry(agenda_items, sec_committee: str, sec_date: date, pack: Meeting | None,
                  src: SourceText, start: int, in_pack: bool):
    """The agenda entry (of ``agenda_items``) that presents minutes of ``sec_committee`` on
    ``sec_date`` (see the module docstring), or None."""
    if in_pack and src.pages:
        p = page_of(src, start)
        hit = next((e for e, _ in agenda_items
                    if p is not None and e.page_start and e.page_start <= p <= (e.page_end or e.page_start)), None)
        if hit is not None:
            return hit
    listed = [e for e, _ in agenda_items if "minutes" in e.title.lower() or "notes" in e.title.lower()]
    for e in listed:
        if any_date(e.title) == sec_date:
            return e
    if pack is not None and not same_body(sec_committee, pack.committee):
        return next((e for e in listed if title_similarity(e.title, sec_committee) >= 0.6), None)
    if pack is not None and sec_date >= pack.date:
        return None  # the meeting's own minutes, printed after it: no agenda line presents them
    return next((e for e, _ in agenda_items if e.title.lower().startswith("minutes")), None)


def add_minutes(b: Builder, src: SourceText, m: Meeting, published: str, sec: MinuteSection,
                agenda_items, pack: Meeting | None = None, in_pack: bool = False,
                title: str | None = None) -> Document:
    """The minutes document and its items: who was present, then each numbered minute."""
    entry = minutes_entry(agenda_items, m.committee, m.date, pack, src, sec.span[0], in_pack)
    lo, hi = (entry.page_start, entry.page_end) if entry else (None, None)
    pages = pdf_pages(src, sec.span)
    doc = Document(id=b.doc_id(published, src, "minutes"), meeting_id=m.id, published_for=published,
                   doc_type="minutes", title=title or f"Minutes of the meeting held on {m.date.isoformat()}",
                   path=src.path, span=sec.span,
                   page_start=pages[0] if src.pages else lo, page_end=pages[1] if src.pages else hi,
                   pdf_page_start=pages[2], pdf_page_end=pages[3])
    b.documents.append(doc)
    for e, docs in agenda_items:
        if e is entry:
            docs.append(doc)
    # who was present, the apologies and the invited guests: between the heading and minute 1
    first = sec.minutes[0].title_line.start if sec.minutes else sec.span[1]
    pre = trim_span(src.text, sec.span[0], first)
    if pre[1] > pre[0]:
        ps, pe = page_span(src, pre, lo, hi)
        b.add_item(Item(
            id=f"{m.id}/attendance", meeting_id=m.id, kind="minute", number=None,
            title="Present and apologies", body=src.text[pre[0]:pre[1]], span=pre, path=src.path,
            document_ids=(doc.id,), page_start=ps, page_end=pe, order=0,
        ))
    for n, mi in enumerate(sec.minutes, start=1):
        ps, pe = page_span(src, mi.body_span, lo, hi)
        b.add_item(Item(
            id=f"{m.id}/minute-{mi.number}", meeting_id=m.id, kind="minute", number=mi.number,
            title=mi.title, body=src.text[mi.body_span[0]:mi.body_span[1]], span=mi.body_span,
            path=src.path, document_ids=(doc.id,), page_start=ps, page_end=pe,
            resolutions=mi.resolutions, cross_refs=mi.cross_refs, order=n,
        ))
    return doc


def add_record(b: Builder, src: SourceText, lines: list[Line], layout: Layout, seg: DocSegment,
               rec: Record, pack: Meeting, agenda_items, in_pack: bool) -> Document:
    """A record of another meeting (``rec``) carried in ``pack``'s papers, as that meeting's."""
    committee = pack.committee if rec.committee is None or same_body(rec.committee, pack.committee) else rec.committee
    m = b.meeting(committee, rec.date, council=rec.council or pack.council)
    kind = _RECORD_TITLES[rec.kind]
    title = f"{kind} of the meeting held on {m.date.isoformat()}"
    sec_lines = lines[line_at(lines, seg.start):line_at(lines, seg.end)]
    minutes = read_minutes(src.text, sec_lines, seg.end, layout) if rec.kind != "recommendations" else []
    if minutes:
        sec = MinuteSection(committee, rec.date, None, m.council, None, (seg.start, seg.end), tuple(minutes))
        return add_minutes(b, src, m, pack.id, sec, agenda_items, pack, in_pack, title=title)
    head = [ln.text for ln in sec_lines[:12] if ln.text and not layout.furniture(ln)]
    shown = next((t for t in head if t.lower().startswith(rec.kind[:-1]) and len(t) <= 120),
                 f"{kind} of the {committee}, {long_date(m.date)}")
    doc = make_document(b, pack, src, seg, "report", shown, seg.author, (None, None), False, meeting=m)
    b.add_item(Item(id=f"{m.id}/{rec.kind}-{slugify(shown)[:40]}", meeting_id=m.id, kind="agenda", number=None,
                    title=shown, body=src.text[seg.start:seg.end], span=(seg.start, seg.end), path=src.path,
                    document_ids=(doc.id,), page_start=doc.page_start, page_end=doc.page_end, order=1))
    return doc
