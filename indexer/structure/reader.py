"""Read papers into meetings, documents and items: ``parse_path(path) -> ParsedSource``.

A source is either one file (a whole agenda pack, or a minutes document) or a meeting
folder holding one file per document, as downloaded from a ModernGov site.

Where the pack's meeting comes from, field by field, in order of precedence:
1. a ``meeting.json`` beside the files (overrides everything);
2. the documents' own text: the front sheet (or notice of meeting) for the pack's meeting,
   and each minutes heading for the meeting those minutes record;
3. a ``<committee>/<YYYY-MM-DD>/`` folder path.
Nothing else: a file whose meeting cannot be determined raises :class:`ParseError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, time
from pathlib import Path

from indexer.common.dates import parse_time
from indexer.common.errors import ParseError
from indexer.common.models import Document, Item, Meeting, ParsedSource, SourceText, slugify
from indexer.ingest.files import unit_files
from indexer.parse.sources import load_source, page_markers, running_lines
from indexer.structure.common import COUNCIL_RE, Layout, Line, snap_to_page, split_lines, trim_span
from indexer.structure import meeting_json
from indexer.structure.documents import BRIEFING_RE, SUBJECT_RE, DocSegment, find_documents
from indexer.structure.meetings import AgendaEntry, FrontSheet, find_front_sheet
from indexer.structure.minutes import MinuteSection, find_minutes, is_minutes_start
from indexer.structure.trackers import find_tables

log = logging.getLogger(__name__)

# Bump when parsing changes what is read from the same bytes: the index then re-reads
# every file (vectors of unchanged passages are reused, so nothing is embedded twice).
READER_VERSION = 2

_STOPWORDS = set("a an and the of for to in on with by update report briefing note progress from".split())
_COVER_KINDS = ("briefing", "report", "work_programme")
_APPENDIX_FILE = re.compile(r"^[\d\s._-]*appendi(?:x|ces)\b", re.I)  # "04 Appendix A.pdf"


@dataclass(frozen=True)
class MeetingMeta:
    committee: str | None = None
    date: date | None = None
    start_time: time | None = None
    place: str | None = None
    council: str | None = None


@dataclass(frozen=True)
class _Read:
    """One source with its lines, page furniture and front sheet (if any)."""

    src: SourceText
    lines: list[Line]
    layout: Layout
    front: FrontSheet | None


def meeting_id(committee: str, when: date) -> str:
    return f"{slugify(committee)}/{when.isoformat()}"


def _meta_from_json(path: Path) -> MeetingMeta | None:
    mj = path / "meeting.json" if path.is_dir() else path.parent / "meeting.json"
    if not mj.is_file():
        return None
    try:
        raw = json.loads(mj.read_text(encoding="utf-8"))
        when = date.fromisoformat(raw["date"]) if raw.get("date") else None
        start = raw.get("start_time")
        return MeetingMeta(raw.get("committee"), when, parse_time(start) if start else None,
                           raw.get("place"), raw.get("council"))
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise ParseError(mj, f"invalid meeting.json ({exc})") from None


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
    words = re.findall(r"[a-z0-9]+", s.lower().replace("'", "").replace("’", ""))
    return {w.rstrip("s") for w in words if w not in _STOPWORDS and len(w) > 1}


def title_similarity(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _doc_type_for(entry_title: str, seg_kind: str, primary: bool) -> str:
    low = entry_title.lower()
    if "work programme" in low or seg_kind == "work_programme":
        return "work_programme"
    if "outstanding issue" in low:
        return "outstanding_issues"
    return "report" if primary else "appendix"


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

    def __init__(self) -> None:
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

    def add_item(self, item: Item) -> None:
        """Keep ids unique within a source (the same minutes printed twice in one folder)."""
        taken = {i.id for i in self.items}
        if item.id in taken:
            n = 2
            while f"{item.id}~{n}" in taken:
                n += 1
            item = Item(**{**item.__dict__, "id": f"{item.id}~{n}"})
        self.items.append(item)


def parse_path(path: str | Path, root: str | Path | None = None) -> ParsedSource:
    """Read one pack file or one meeting folder. ``root`` makes stored paths relative."""
    path = Path(path)
    root = Path(root) if root is not None else (path.parent if path.is_file() else path)
    files = unit_files(path)
    if not files:
        raise ParseError(path, "folder holds no .pdf, .txt or .md files")
    meta = _meta_from_json(path)  # a broken meeting.json fails before any file is read
    raw = meeting_json.read(path)
    sources = meeting_json.without_repeats([load_source(f, _display(f, root)) for f in files], raw, _display(path, root))
    b = _Builder()
    _parse_sources(b, sources, meta, _meta_from_folder(path), _display(path, root))
    digest = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    return meeting_json.apply(ParsedSource(
        path=_display(path, root), sha256=digest, sources=tuple(sources),
        meetings=tuple(sorted(b.meetings.values(), key=lambda m: (m.date, m.committee))),
        documents=tuple(b.documents), items=tuple(b.items), warnings=tuple(b.warnings),
    ), raw)


def _display(p: Path, root: Path) -> str:
    try:
        rel = p.resolve().relative_to(root.resolve())
        return str(rel) if str(rel) != "." else p.name
    except ValueError:
        return str(p)


def _read(src: SourceText) -> _Read:
    lines = split_lines(src.text)
    layout = Layout(frozenset(running_lines(src)), tuple(p.start for p in src.pages))
    return _Read(src, lines, layout, find_front_sheet(src.text, lines, layout))


def _pack_meeting(b: _Builder, fs: FrontSheet | None, meta: MeetingMeta | None,
                  fallback: MeetingMeta | None) -> Meeting | None:
    """The meeting whose pack (or folder) this is; each field from the best source that has it."""
    def pick(field: str):
        for source in (meta, fs, fallback):
            if source is not None and getattr(source, field, None):
                return getattr(source, field)
        return None

    committee, when = pick("committee"), pick("date")
    if not (committee and when):
        return None
    return b.meeting(committee, when, council=pick("council"), start_time=pick("start_time"),
                     place=pick("place"))


def _parse_sources(b: _Builder, sources: list[SourceText], meta: MeetingMeta | None,
                   fallback: MeetingMeta | None, shown: str) -> None:
    reads = [_read(src) for src in sources]
    front = next((r for r in reads if r.front is not None), None)
    pack = _pack_meeting(b, front.front if front else None, meta, fallback)
    entries = front.front.entries if front else ()
    agenda_items: list[tuple[AgendaEntry, list[Document]]] = [(e, []) for e in entries]

    minutes_found = False
    loose: list[tuple[SourceText, DocSegment]] = []
    for r in reads:
        src, lines, layout = r.src, r.lines, r.layout
        taken: list[tuple[int, int]] = []
        if r is front:
            fs_end = _front_sheet_end(src.text, lines, layout)
            taken.append((0, fs_end))
            if pack is not None:
                _add_front_sheet(b, src, pack, (0, fs_end), front.front)
        # the first pass finds where documents begin so minutes stop there
        doc_starts = [seg.start for seg in find_documents(src.text, lines, taken, layout)
                      if seg.kind in _COVER_KINDS]
        for sec in find_minutes(src.text, lines, stop_at=doc_starts, layout=layout):
            minutes_found = True
            m = b.meeting((meta and meta.committee) or sec.committee, sec.date,
                          council=sec.council or (pack and pack.council),
                          start_time=sec.start_time, place=sec.place)
            _add_minutes(b, src, m, pack.id if pack else m.id, sec, agenda_items)
            taken.append(sec.span)
        loose += [(src, seg) for seg in find_documents(src.text, lines, taken, layout)]
    if pack is None:
        names = ", ".join(Path(s.path).name for s in sources)
        where = sources[0].path if len(sources) == 1 else f"{shown} ({names})"
        if not minutes_found:
            raise ParseError(where, "no recognisable meeting: no front sheet or notice with a date, "
                                    "no minutes heading, no meeting.json and no "
                                    "<committee>/<YYYY-MM-DD>/ folder")
        if loose:
            skipped = sorted({Path(s.path).name for s, _ in loose})
            b.warnings.append(f"{shown}: no meeting for {len(loose)} document(s) outside the minutes "
                              f"({', '.join(skipped)}); skipped")
        return
    _attach_documents(b, pack, agenda_items, loose, (front or reads[0]).src, folder=len(sources) > 1)


def _front_sheet_end(text: str, lines: list[Line], layout: Layout) -> int:
    """The front sheet runs until the minutes heading or the first document cover."""
    for i, ln in enumerate(lines):
        t = ln.text
        if BRIEFING_RE.match(t) or SUBJECT_RE.match(t) or is_minutes_start(lines, i):
            k = i - 1
            while k >= 0 and layout.furniture(lines[k]):
                k -= 1
            start = k if k >= 0 and COUNCIL_RE.match(lines[k].text) else i
            return snap_to_page(lines, start, layout)
    return len(text)


def _add_front_sheet(b: _Builder, src: SourceText, m: Meeting, span, fs: FrontSheet) -> None:
    span = trim_span(src.text, *span)
    pages = _pages(src, span)
    if src.pages:
        first, last = pages[0], pages[1]
    else:  # a text pack starts on page 1 and its first listed item follows the front sheet
        listed = [e.page_start for e in fs.entries if e.page_start]
        first, last = 1, max(1, min(listed) - 1) if listed else 1
    doc = Document(id=b.doc_id(m.id, src, "agenda"), meeting_id=m.id, published_for=m.id,
                   doc_type="agenda", title=f"Agenda: {m.committee}, {m.date.isoformat()}",
                   path=src.path, span=span, page_start=first, page_end=last,
                   pdf_page_start=pages[2], pdf_page_end=pages[3])
    b.documents.append(doc)
    b.add_item(Item(id=f"{m.id}/agenda", meeting_id=m.id, kind="agenda", number=None,
                    title="Agenda", body=src.text[span[0]:span[1]], span=span, path=src.path,
                    document_ids=(doc.id,), page_start=doc.page_start, page_end=doc.page_end, order=0))


_page_markers = lru_cache(maxsize=8)(page_markers)  # one scan per text, not one per item


def page_span(src: SourceText, span, lo: int | None, hi: int | None) -> tuple[int | None, int | None]:
    """Narrow a printed page range with "Page N" lines found in a text source."""
    if src.pages:
        p = _pages(src, span)
        return p[0], p[1]
    marks = _page_markers(src.text)
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


def _add_minutes(b: _Builder, src: SourceText, m: Meeting, published: str, sec: MinuteSection,
                 agenda_items) -> None:
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


def _match(seg: DocSegment, stem: str | None, entries: list[AgendaEntry]) -> tuple[int | None, float]:
    """The agenda entry (index into ``entries``) whose title best matches a document's."""
    best, best_score = None, 0.0
    for k, e in enumerate(entries):
        score = title_similarity(seg.title or "", e.title)
        if stem:
            score = max(score, title_similarity(stem, e.title))
        if seg.kind == "work_programme" and "work programme" in e.title.lower():
            score = 1.0
        if score > best_score:
            best, best_score = k, score
    return best, best_score


def _assign(agenda_items, loose, folder: bool) -> list[tuple[int | None, SourceText, DocSegment]]:
    """Which agenda item each document serves, matched by title.

    In a pack, reports follow the agenda's order and a document without a cover of its own
    (an appendix) belongs to the item before it. In a folder each file is matched on its own
    title and file name; an unmatched appendix file follows the previous file's item.
    """
    targets = [i for i, (e, _) in enumerate(agenda_items) if not e.title.lower().startswith("minutes")]
    pointer, current, prev_src = 0, None, None
    out = []
    for src, seg in loose:
        first_of_file = src is not prev_src
        prev_src = src
        stem = Path(src.path).stem if folder and first_of_file else None
        if folder and first_of_file and seg.kind == "leading" and _APPENDIX_FILE.match(stem):
            seg.kind = "appendix"
        candidates = targets if folder else targets[pointer:]
        best = None
        if seg.kind in (*_COVER_KINDS, "leading") or stem:
            k, score = _match(seg, stem, [agenda_items[t][0] for t in candidates])
            best = candidates[k] if k is not None and score >= 0.5 else None
        if best is not None:
            current = best
            pointer = targets.index(best)
        elif folder and first_of_file and seg.kind != "appendix":
            current = None  # a file that serves no agenda item is an item of its own
        elif current is None and targets and not folder:
            # before any match: the first agenda item with pages after the minutes
            current = next((t for t in targets if agenda_items[t][0].page_start), None)
        out.append((current, src, seg))
    return out


def _attach_documents(b: _Builder, m: Meeting, agenda_items, loose, front_src: SourceText,
                      folder: bool) -> None:
    """Attach each report to the agenda item it serves; add one item per agenda entry."""
    by_item: dict[int | None, list[tuple[SourceText, DocSegment]]] = {}
    for idx, src, seg in _assign(agenda_items, loose, folder):
        by_item.setdefault(idx, []).append((src, seg))
    order = 1
    for idx, (e, docs) in enumerate(agenda_items):
        segs = by_item.get(idx, [])
        primary_seg = next((s for _, s in segs if s.kind not in ("appendix", "continuation")), None)
        new_docs = []
        for src, seg in segs:
            dt = _doc_type_for(e.title, seg.kind, seg is primary_seg)
            new_docs.append(_document(b, m, src, seg, dt, seg.title or e.title,
                                      seg.author or (e.author if seg is primary_seg else None),
                                      (e.page_start, e.page_end), e.private))
        primary = next((d for d, (_, s) in zip(new_docs, segs) if s is primary_seg),
                       new_docs[0] if new_docs else None)
        # the body is the item's report; an item with none is its line on the front sheet
        body_src = next((s for s, _ in segs if s.path == primary.path), None) if primary else front_src
        span = primary.span if primary else trim_span(front_src.text, e.line.start, e.line.end)
        b.add_item(Item(
            id=f"{m.id}/item-{e.number}", meeting_id=m.id, kind="agenda", number=e.number, title=e.title,
            body=body_src.text[span[0]:span[1]], span=span, path=body_src.path,
            document_ids=tuple(d.id for d in docs + new_docs), page_start=e.page_start,
            page_end=e.page_end, order=order,
        ))
        order += 1
    # documents with no agenda entry to attach to: each is an item of its own
    for n, (src, seg) in enumerate(by_item.get(None, []), start=1):
        dt = "work_programme" if seg.kind == "work_programme" else (
            "appendix" if seg.kind == "appendix" else "report")
        doc = _document(b, m, src, seg, dt, seg.title or Path(src.path).stem, seg.author, (None, None), False)
        b.add_item(Item(id=f"{m.id}/doc-{slugify(doc.title)[:40]}-{n}", meeting_id=m.id, kind="agenda",
                        number=None, title=doc.title, body=src.text[seg.start:seg.end],
                        span=(seg.start, seg.end), path=src.path, document_ids=(doc.id,),
                        page_start=doc.page_start, page_end=doc.page_end, order=order))
        order += 1


def _document(b: _Builder, m: Meeting, src: SourceText, seg: DocSegment, doc_type: str, title: str,
              author: str | None, listed: tuple[int | None, int | None], private: bool) -> Document:
    span = (seg.start, seg.end)
    ps, pe = page_span(src, span, *listed)
    pdfp = _pages(src, span)
    doc = Document(
        id=b.doc_id(m.id, src, doc_type), meeting_id=m.id, published_for=m.id, doc_type=doc_type,
        title=title, path=src.path, span=span, author=author, page_start=ps, page_end=pe,
        pdf_page_start=pdfp[2], pdf_page_end=pdfp[3], tables=tuple(find_tables(src.text, span)),
        restricted=private,
    )
    b.documents.append(doc)
    return doc


def parse_pack(path: str | Path) -> list[Meeting]:
    """The meetings found in one pack (convenience for scripts and tests)."""
    return list(parse_path(path).meetings)
