"""Read papers into meetings, documents and items: ``parse_path(path) -> ParsedSource``.

A source is either one file (a whole agenda pack, or a minutes document) or a meeting
folder holding one file per document, as downloaded from a ModernGov site.

Where the meeting comes from, in order of precedence:
1. a ``meeting.json`` beside the files (overrides everything);
2. the documents' own text: the front sheet for the pack's meeting, and each
   "Minutes of the Meeting of ... held at ... on ..." heading for the meeting minutes record;
3. a ``<committee>/<YYYY-MM-DD>/`` folder path.
Nothing else: a file whose meeting cannot be determined raises :class:`ParseError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from . import structure as st
from .dates import parse_date, parse_time
from .errors import ParseError
from .models import Document, Item, Meeting, Page, ParsedSource, SourceText, slugify
from .sources import load_source, page_markers, unit_files

log = logging.getLogger(__name__)

_STOPWORDS = set("a an and the of for to in on on with by update report briefing note progress from".split())


@dataclass(frozen=True)
class MeetingMeta:
    committee: str | None = None
    date: date | None = None
    start_time: time | None = None
    place: str | None = None
    council: str | None = None


def meeting_id(committee: str, when: date) -> str:
    return f"{slugify(committee)}/{when.isoformat()}"


def _meta_from_json(path: Path) -> MeetingMeta | None:
    mj = path / "meeting.json" if path.is_dir() else path.parent / "meeting.json"
    if not mj.is_file():
        return None
    try:
        raw = json.loads(mj.read_text(encoding="utf-8"))
        when = date.fromisoformat(raw["date"]) if raw.get("date") else None
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise ParseError(mj, f"invalid meeting.json ({exc})") from exc
    return MeetingMeta(raw.get("committee"), when,
                       parse_time(raw["start_time"]) if raw.get("start_time") else None,
                       raw.get("place"), raw.get("council"))


def _meta_from_folder(path: Path) -> MeetingMeta | None:
    """``<committee>/<YYYY-MM-DD>/`` above the file (or the folder itself)."""
    folder = path if path.is_dir() else path.parent
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", folder.name):
        try:
            return MeetingMeta(folder.parent.name.replace("_", " ") or None, date.fromisoformat(folder.name))
        except ValueError:
            return None
    return None


def _tokens(s: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", s.lower().replace("'", ""))
    return {w.rstrip("s") for w in words if w not in _STOPWORDS and len(w) > 1}


def title_similarity(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _doc_type_for(entry_title: str, seg_kind: str, first: bool) -> str:
    low = entry_title.lower()
    if "work programme" in low:
        return "work_programme"
    if "outstanding issue" in low:
        return "outstanding_issues"
    if seg_kind == "work_programme":
        return "work_programme"
    if seg_kind in ("appendix", "continuation") or not first:
        return "appendix"
    return "report"


def _pages(src: SourceText, span: tuple[int, int]) -> tuple[int | None, int | None, int | None, int | None]:
    """(printed start, printed end, pdf start, pdf end) for a span of a PDF source."""
    pages = [p for p in src.pages if p.start < span[1] and p.end > span[0]] or [
        p for p in src.pages if p.start <= span[0] <= p.end][:1]
    if not pages:
        return None, None, None, None
    printed = [p.printed_page for p in pages if p.printed_page is not None]
    return (min(printed) if printed else None, max(printed) if printed else None,
            pages[0].pdf_page, pages[-1].pdf_page)


class _Builder:
    """Accumulates one ParsedSource's meetings, documents and items."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.meetings: dict[str, Meeting] = {}
        self.documents: list[Document] = []
        self.items: list[Item] = []
        self.warnings: list[str] = []

    def meeting(self, committee: str, when: date, **kw) -> Meeting:
        mid = meeting_id(committee, when)
        old = self.meetings.get(mid)
        if old is None:
            self.meetings[mid] = Meeting(mid, committee, when, **kw)
        else:  # fill in what the other source did not say
            merged = {k: getattr(old, k) or v for k, v in kw.items()}
            self.meetings[mid] = Meeting(mid, old.committee, when, **merged)
        return self.meetings[mid]

    def doc_id(self, published_for: str, src: SourceText, doc_type: str) -> str:
        n = sum(1 for d in self.documents if d.path == src.path)
        return f"{published_for}/{slugify(Path(src.path).stem)}/{n}-{doc_type}"


def parse_path(path: str | Path, root: str | Path | None = None) -> ParsedSource:
    """Read one pack file or one meeting folder. ``root`` makes stored paths relative."""
    path = Path(path)
    root = Path(root) if root is not None else (path.parent if path.is_file() else path)
    if path.is_dir():
        files = unit_files(path)
        if not files:
            raise ParseError(path, "folder holds no .pdf, .txt or .md files")
    else:
        files = [path]
    sources = [load_source(f, _display(f, root)) for f in files]
    meta = _meta_from_json(path)
    fallback = _meta_from_folder(path)
    b = _Builder(root)
    _parse_sources(b, sources, meta, fallback, path)
    digest = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    return ParsedSource(
        path=_display(path, root), sha256=digest, sources=tuple(sources),
        meetings=tuple(sorted(b.meetings.values(), key=lambda m: (m.date, m.committee))),
        documents=tuple(b.documents), items=tuple(b.items), warnings=tuple(b.warnings),
    )


def _display(p: Path, root: Path) -> str:
    try:
        rel = p.resolve().relative_to(root.resolve())
        return str(rel) if str(rel) != "." else p.name
    except ValueError:
        return str(p)


def _parse_sources(b: _Builder, sources: list[SourceText], meta: MeetingMeta | None,
                   fallback: MeetingMeta | None, path: Path) -> None:
    # 1. find the front sheet (pack meeting) and minutes sections in every source
    front = None
    per_source = []
    for src in sources:
        lines = st.split_lines(src.text)
        fs = st.find_front_sheet(src.text, lines)
        if fs is not None and front is None:
            front = (src, fs, lines)
        per_source.append((src, lines, fs))
    pack_meeting: Meeting | None = None
    committee = (meta and meta.committee) or (front and front[1].committee) or (fallback and fallback.committee)
    when = (meta and meta.date) or (front and front[1].date) or (fallback and fallback.date)
    if committee and when:
        fsx = front[1] if front else None
        pack_meeting = b.meeting(
            committee, when,
            council=(meta and meta.council) or (fsx and fsx.council),
            start_time=(meta and meta.start_time) or (fsx and fsx.start_time),
            place=(meta and meta.place) or (fsx and fsx.place),
        )
    entries = front[1].entries if front else ()
    # agenda items of the pack meeting, in order
    agenda_items: list[tuple[st.AgendaEntry, list[Document]]] = [(e, []) for e in entries]

    minute_sections_found = False
    loose: list[tuple[SourceText, st.DocSegment]] = []
    for src, lines, fs in per_source:
        taken: list[tuple[int, int]] = []
        if fs is not None and front is not None and src is front[0]:
            fs_end = _front_sheet_end(src.text, lines)
            taken.append((0, fs_end))
            if pack_meeting is not None:
                _add_front_sheet(b, src, pack_meeting, (0, fs_end), fs)
        # the first pass finds where documents begin so minutes stop there
        doc_starts = [seg.start for seg in st.find_documents(src.text, lines, taken)
                      if seg.kind in ("briefing", "report", "work_programme")]
        for sec in st.find_minutes(src.text, lines, stop_at=doc_starts):
            minute_sections_found = True
            m = b.meeting(sec.committee if not (meta and meta.committee) else meta.committee,
                          sec.date, council=sec.council or (pack_meeting and pack_meeting.council),
                          start_time=sec.start_time, place=sec.place)
            published = pack_meeting.id if pack_meeting else m.id
            _add_minutes(b, src, m, published, sec, agenda_items)
            taken.append(sec.span)
        for seg in st.find_documents(src.text, lines, taken):
            loose.append((src, seg))
        if fs is None and not any(a == 0 for a, _ in taken) and len(sources) > 1 and not loose:
            pass
    if pack_meeting is None:
        if not minute_sections_found:
            raise ParseError(path, "no recognisable meeting: no front sheet, no minutes heading, "
                                   "no meeting.json and no <committee>/<YYYY-MM-DD>/ folder")
        if loose:
            b.warnings.append(f"{path}: {len(loose)} document(s) outside the minutes have no meeting; skipped")
        return
    _attach_documents(b, pack_meeting, agenda_items, loose, per_source)


def _front_sheet_end(text: str, lines: list[st.Line]) -> int:
    """The front sheet runs until the minutes heading or the first document cover."""
    for i, ln in enumerate(lines):
        t = ln.text
        if st.MINUTES_HEAD_RE.match(t) or st.BRIEFING_RE.match(t) or st.SUBJECT_RE.match(t):
            k = i - 1
            while k >= 0 and not lines[k].text:
                k -= 1
            if k >= 0 and st.COUNCIL_RE.match(lines[k].text):
                return lines[k].start
            return ln.start
    return len(text)


def _add_front_sheet(b: _Builder, src: SourceText, m: Meeting, span, fs: st.FrontSheet) -> None:
    span = st.trim_span(src.text, *span)
    pages = _pages(src, span)
    doc = Document(id=b.doc_id(m.id, src, "agenda"), meeting_id=m.id, published_for=m.id,
                   doc_type="agenda", title=f"Agenda: {fs.committee}, {fs.date.isoformat()}",
                   path=src.path, span=span, page_start=pages[0] or 1, page_end=pages[1] or (1 if not src.pages else None),
                   pdf_page_start=pages[2], pdf_page_end=pages[3])
    b.documents.append(doc)
    b.items.append(Item(id=f"{m.id}/agenda", meeting_id=m.id, kind="agenda", number=None,
                        title="Agenda", body=src.text[span[0]:span[1]], span=span, path=src.path,
                        document_ids=(doc.id,), page_start=doc.page_start, page_end=doc.page_end, order=0))


def page_span(src: SourceText, span, lo: int | None, hi: int | None) -> tuple[int | None, int | None]:
    """Narrow a printed page range with "Page N" lines found in a text source."""
    if src.pages:
        p = _pages(src, span)
        return p[0], p[1]
    marks = page_markers(src.text)
    before = [n for off, n in marks if off <= span[0]]
    inside = [n for off, n in marks if span[0] < off < span[1]]
    after = [n for off, n in marks if off >= span[1]]
    start = max([x for x in [lo, before[-1] if before else None] if x is not None], default=None)
    end_cands = [x for x in [hi, after[0] if after else None] if x is not None]
    end = min(end_cands) if end_cands else None
    if inside:
        start = min(start, inside[0]) if start is not None else inside[0]
        end = max(end, inside[-1]) if end is not None else inside[-1]
    if start is not None and end is not None and end < start:
        start, end = lo, hi
    return start, end


def _add_minutes(b, src, m: Meeting, published: str, sec: st.MinuteSection, agenda_items) -> None:
    entry = next((e for e, _ in agenda_items if e.title.lower().startswith("minutes")), None)
    lo, hi = (entry.page_start, entry.page_end) if entry else (None, None)
    pages = _pages(src, sec.span)
    doc = Document(id=b.doc_id(published, src, "minutes"), meeting_id=m.id, published_for=published,
                   doc_type="minutes", title=f"Minutes of the meeting held on {m.date.isoformat()}",
                   path=src.path, span=sec.span,
                   page_start=pages[0] if src.pages else lo, page_end=pages[1] if src.pages else hi,
                   pdf_page_start=pages[2], pdf_page_end=pages[3])
    b.documents.append(doc)
    for e, docs in agenda_items:
        if e is entry:
            docs.append(doc)
    for n, mi in enumerate(sec.minutes, start=1):
        ps, pe = page_span(src, mi.body_span, lo, hi)
        b.items.append(Item(
            id=f"{m.id}/minute-{mi.number}", meeting_id=m.id, kind="minute", number=mi.number,
            title=mi.title, body=src.text[mi.body_span[0]:mi.body_span[1]], span=mi.body_span,
            path=src.path, document_ids=(doc.id,), page_start=ps, page_end=pe,
            resolutions=mi.resolutions, cross_refs=mi.cross_refs, order=n,
        ))


def _attach_documents(b: _Builder, m: Meeting, agenda_items, loose, per_source) -> None:
    """Attach each report to the agenda item it serves, matched by title, in agenda order."""
    targets = [i for i, (e, _) in enumerate(agenda_items) if not e.title.lower().startswith("minutes")]
    pointer = 0
    current: int | None = None
    assigned: list[tuple[int | None, SourceText, st.DocSegment]] = []
    for src, seg in loose:
        best, best_score = None, 0.0
        if seg.kind in ("briefing", "report", "work_programme", "leading"):
            for ti in targets[pointer:]:
                e = agenda_items[ti][0]
                score = title_similarity(seg.title or "", e.title)
                if seg.kind == "work_programme" and "work programme" in e.title.lower():
                    score = 1.0
                if score > best_score:
                    best, best_score = ti, score
        if best is not None and best_score >= 0.5:
            current = best
            pointer = targets.index(best)
        elif current is None and targets and agenda_items:
            # before any match: the first agenda item with pages after the minutes
            current = next((ti for ti in targets if agenda_items[ti][0].page_start), None)
        assigned.append((current, src, seg))
    by_item: dict[int | None, list[tuple[SourceText, st.DocSegment]]] = {}
    for idx, src, seg in assigned:
        by_item.setdefault(idx, []).append((src, seg))
    order = 1
    for idx, (e, docs) in enumerate(agenda_items):
        segs = by_item.get(idx, [])
        item_id = f"{m.id}/item-{e.number}"
        new_docs = []
        for k, (src, seg) in enumerate(segs):
            dt = _doc_type_for(e.title, seg.kind, k == 0)
            ps, pe = page_span(src, (seg.start, seg.end), e.page_start, e.page_end)
            pdfp = _pages(src, (seg.start, seg.end))
            tables = tuple(st.find_tables(src.text, (seg.start, seg.end)))
            doc = Document(
                id=b.doc_id(m.id, src, dt), meeting_id=m.id, published_for=m.id, doc_type=dt,
                title=seg.title or e.title, path=src.path, span=(seg.start, seg.end),
                author=seg.author or (e.author if k == 0 else None), page_start=ps, page_end=pe,
                pdf_page_start=pdfp[2], pdf_page_end=pdfp[3], tables=tables, restricted=e.private,
            )
            b.documents.append(doc)
            new_docs.append(doc)
        docs = docs + new_docs
        primary = new_docs[0] if new_docs else None
        body_src = next((s for s, _ in segs), None)
        b.items.append(Item(
            id=item_id, meeting_id=m.id, kind="agenda", number=e.number, title=e.title,
            body=body_src.text[primary.span[0]:primary.span[1]] if primary else "",
            span=primary.span if primary else (e.line.start, e.line.end),
            path=primary.path if primary else per_source[0][0].path,
            document_ids=tuple(d.id for d in docs), page_start=e.page_start, page_end=e.page_end,
            order=order,
        ))
        order += 1
    # documents with no agenda to attach to (no front sheet): each is its own item
    for n, (src, seg) in enumerate(by_item.get(None, []), start=1):
        dt = "report" if seg.kind in ("briefing", "report", "leading") else ("work_programme" if seg.kind == "work_programme" else "other")
        pdfp = _pages(src, (seg.start, seg.end))
        doc = Document(id=b.doc_id(m.id, src, dt), meeting_id=m.id, published_for=m.id, doc_type=dt,
                       title=seg.title or Path(src.path).stem, path=src.path, span=(seg.start, seg.end),
                       author=seg.author, page_start=pdfp[0], page_end=pdfp[1],
                       pdf_page_start=pdfp[2], pdf_page_end=pdfp[3],
                       tables=tuple(st.find_tables(src.text, (seg.start, seg.end))))
        b.documents.append(doc)
        b.items.append(Item(id=f"{m.id}/doc-{slugify(doc.title)[:40]}-{n}", meeting_id=m.id, kind="agenda",
                            number=None, title=doc.title, body=src.text[seg.start:seg.end],
                            span=(seg.start, seg.end), path=src.path, document_ids=(doc.id,),
                            page_start=doc.page_start, page_end=doc.page_end, order=order))
        order += 1


def parse_pack(path: str | Path) -> list[Meeting]:
    """The meetings found in one pack (convenience for scripts and tests)."""
    return list(parse_path(path).meetings)
