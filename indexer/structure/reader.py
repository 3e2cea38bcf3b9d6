"""Read papers into meetings, documents and items: ``parse_path(path) -> ParsedSource``.

A source is either one file (a whole agenda pack, or a minutes document) or a meeting
folder holding one file per document (sub-folders included), as downloaded from a ModernGov site.

Where the pack's meeting comes from, field by field, in order of precedence
(see :mod:`indexer.structure.dating`):
1. a ``meeting.json`` beside the files (overrides everything);
2. the documents' own text: the front sheet (or notice of meeting) for the pack's meeting,
   and each minutes heading for the meeting those minutes record;
3. ModernGov's file names ("Public reports pack 13th-Mar-2025 15.00 Cabinet.pdf");
4. the nearest dated folder above the files (``<committee>/<YYYY-MM-DD>/``).
Nothing else: a unit whose meeting cannot be determined raises :class:`ParseError` naming
what was tried. Minutes, notes and recommendations of another body or an earlier meeting are
dated by the meeting they record (:mod:`indexer.structure.records`, ``carried``). Copies
(identical bytes, "%20" names) and files that repeat the pack's pages are read once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexer.common.dates import parse_time
from indexer.common.errors import ParseError
from indexer.common.models import Document, Item, Meeting, ParsedSource, SourceText
from indexer.ingest.duplicates import distinct_files
from indexer.ingest.files import unit_files
from indexer.ingest.names import FileName, read_name
from indexer.parse.sources import load_source, running_lines
from indexer.structure import meeting_json
from indexer.structure.attach import Source, assign, attach_documents, title_similarity  # noqa: F401
from indexer.structure.builder import Builder, meeting_id  # noqa: F401 - meeting_id is used by benchmarks
from indexer.structure.carried import add_minutes, add_record
from indexer.structure.common import COUNCIL_RE, Layout, Line, line_at, snap_to_page, split_lines, trim_span
from indexer.structure.dating import MeetingMeta, meta_from_folder, meta_from_names, refusal, same_body
from indexer.structure.documents import BRIEFING_RE, STAMP_RE, SUBJECT_RE, DocSegment, find_documents, segment
from indexer.structure.meetings import AgendaEntry, FrontSheet, find_front_sheet
from indexer.structure.minutes import find_minutes, is_minutes_start
from indexer.structure.overlap import contained, shingles
from indexer.structure.pages import page_span, pdf_pages  # noqa: F401 - page_span is the chunker's
from indexer.structure.records import find_record
from indexer.structure.titles import document_title

log = logging.getLogger(__name__)

# Bump when parsing changes what is read from the same bytes: the index then re-reads
# every file (vectors of unchanged passages are reused, so nothing is embedded twice).
READER_VERSION = 3
_REPEATED = 0.9  # a file this much of whose word runs the pack holds is the pack's copy
_COVER_KINDS = ("briefing", "report", "work_programme")


@dataclass(frozen=True)
class _Read:
    """One source with its lines, page furniture and front sheet (if any)."""

    src: SourceText
    lines: list[Line]
    layout: Layout
    front: FrontSheet | None


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
    """The nearest dated folder at or above the file (or the folder itself)."""
    return meta_from_folder(path)


def parse_path(path: str | Path, root: str | Path | None = None) -> ParsedSource:
    """Read one pack file or one meeting folder. ``root`` makes stored paths relative."""
    path = Path(path)
    root = Path(root) if root is not None else (path.parent if path.is_file() else path)
    files = unit_files(path)
    if not files:
        raise ParseError(path, "folder holds no .pdf, .txt or .md files")
    meta = _meta_from_json(path)  # a broken meeting.json fails before any file is read
    files, copies = distinct_files(files)
    shown = _display(path, root)
    b = Builder()
    b.warnings += [f"{_display(c.path, root)}: {c.reason} {_display(c.original, root)}; read once" for c in copies]
    sources, names = [], {}
    for f in files:
        try:
            src = load_source(f, _display(f, root))
        except ParseError as exc:
            if len(files) == 1:
                raise
            b.warnings.append(f"{exc.path}: not read ({exc.reason})")
            continue
        sources.append(src)
        b.warnings += list(src.warnings)  # pages a file could not give (a scan, no OCR)
        names[src.path] = read_name(f)
    raw = meeting_json.read(path)
    sources = meeting_json.without_repeats(sources, raw, shown)
    if not sources:
        raise ParseError(shown, "no file in the folder could be read: " + "; ".join(b.warnings))
    _parse_sources(b, sources, names, meta, _meta_from_folder(path), shown)
    digest = hashlib.sha256("".join(s.sha256 for s in sources).encode()).hexdigest()
    return meeting_json.apply(ParsedSource(
        path=shown, sha256=digest, sources=tuple(sources),
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


def _choose_front(reads: list[_Read], names: dict[str, FileName]) -> _Read | None:
    """The front sheet that heads the meeting's papers: a reports pack's (it carries the agenda's
    page numbers and every report) before a frontsheet of its own, else the first."""
    fronts = [r for r in reads if r.front is not None]
    if not fronts:
        return None
    def rank(k_r):
        k, r = k_r
        paged = any(e.page_start for e in r.front.entries) and len(r.src.pages) > 2
        return (names[r.src.path].kind == "pack", paged and len(r.src.pages), -k)
    return max(enumerate(fronts), key=rank)[1]


def _pack_meeting(b: Builder, fs: FrontSheet | None, *sources: MeetingMeta | None) -> Meeting | None:
    """The meeting whose pack (or folder) this is; each field from the best source that has it."""
    def pick(field: str):
        for source in (sources[0], fs, *sources[1:]):
            if source is not None and getattr(source, field, None):
                return getattr(source, field)
        return None

    committee, when = pick("committee"), pick("date")
    if not (committee and when):
        return None
    return b.meeting(committee, when, council=pick("council"), start_time=pick("start_time"),
                     place=pick("place"))


def _repeats(reads: list[_Read], front: _Read, b: Builder) -> list[_Read]:
    """Drop files whose pages the pack already holds (its frontsheet, reports filed one by one)."""
    if len(reads) < 2 or len(front.src.pages) < 3:
        return reads
    whole = shingles(front.src.text)
    kept = []
    for r in reads:
        if r is not front and len(r.src.text) < len(front.src.text) and \
                contained(shingles(r.src.text), whole) >= _REPEATED:
            b.warnings.append(f"{r.src.path}: its pages are in {front.src.path}; read once, from there")
            continue
        kept.append(r)
    return kept


def _parse_sources(b: Builder, sources: list[SourceText], names: dict[str, FileName],
                   meta: MeetingMeta | None, folder: MeetingMeta | None, shown: str) -> None:
    reads = [_read(src) for src in sources]
    front = _choose_front(reads, names)
    by_name = meta_from_names(list(names.values()), folder)
    pack = _pack_meeting(b, front.front if front else None, meta, by_name, folder)
    entries = front.front.entries if front else ()
    agenda_items: list[tuple] = [(e, []) for e in entries]
    if front is not None and pack is not None:
        reads = _repeats(reads, front, b)

    minutes_found = False
    with_minutes: set[str] = set()  # files whose minutes headings were read: their names say no more
    plan: list[tuple[_Read, Source]] = []
    for r in reads:
        src, lines, layout = r.src, r.lines, r.layout
        taken: list[tuple[int, int]] = []
        own = ()
        if r is front or (r.front is not None and pack is not None and _same_meeting(r.front, pack)):
            fs_end = _front_sheet_end(src, lines, layout, r.front)
            taken.append((0, fs_end))
            own = r.front.entries
            if r is front and pack is not None:
                _add_front_sheet(b, src, pack, (0, fs_end), front.front)
        # the first pass finds where documents begin so minutes stop there
        doc_starts = [seg.start for seg in find_documents(src.text, lines, taken, layout)
                      if seg.kind in _COVER_KINDS]
        for sec in find_minutes(src.text, lines, stop_at=doc_starts, layout=layout):
            minutes_found = True
            with_minutes.add(src.path)
            committee = pack.committee if pack is not None and same_body(sec.committee, pack.committee) \
                else sec.committee
            m = b.meeting(committee, sec.date, council=sec.council or (pack and pack.council),
                          start_time=sec.start_time, place=sec.place)
            add_minutes(b, src, m, pack.id if pack else m.id, sec, agenda_items, pack, r is front)
            taken.append(sec.span)
        segs = find_documents(src.text, lines, taken, layout)
        if own and src.pages:
            own = own if _pages_agree(r, own) else _unpaged(own)
            segs = _split_at_listed_pages(r, segs, own, taken)
        name = names[src.path]
        if segs and segs[0].kind == "leading" and len(sources) > 1:
            first = [ln.text for ln in r.lines[line_at(r.lines, segs[0].start):line_at(r.lines, segs[0].end)][:40]
                     if not r.layout.furniture(ln)]
            segs[0].title = document_title(first, name, r.layout.running) or segs[0].title
        plan.append((r, Source(src, name, own, pack=bool(own) or len(sources) == 1, segments=segs)))
    if pack is None:
        names_list = [names[s.path] for s in sources]
        where = sources[0].path if len(sources) == 1 else f"{shown} ({', '.join(Path(s.path).name for s in sources)})"
        if not minutes_found:
            raise ParseError(where, refusal(names_list, meta is not None, any(r.front for r in reads)))
        loose = [s for _, s in plan if s.segments]
        if loose:
            skipped = sorted({Path(s.src.path).name for s in loose})
            n = sum(len(s.segments) for s in loose)
            b.warnings.append(f"{shown}: no meeting for {n} document(s) outside the minutes "
                              f"({', '.join(skipped)}); skipped")
        return
    assigned = assign(agenda_items, [s for _, s in plan], folder=len(sources) > 1)
    reads_of = {id(s): r for r, s in plan}
    kept, recorded = [], {}
    front_text = front.src.text[:20000] if front else ""
    for idx, s, seg in assigned:
        r = reads_of[id(s)]
        if id(s) in recorded and not s.pack:  # the rest of a file that is another meeting's record
            recorded[id(s)].append(seg)
            continue
        rec = _record_of(r, s, seg, agenda_items[idx][0].title if idx is not None else None, front_text,
                         s.src.path in with_minutes)
        if rec is not None and (rec.date != pack.date or (rec.committee and not same_body(rec.committee, pack.committee))):
            if s.pack:
                add_record(b, s.src, r.lines, r.layout, seg, rec, pack, agenda_items, True)
            else:
                recorded[id(s)] = [seg]
                recorded[("rec", id(s))] = rec
            continue
        kept.append((idx, s, seg))
    for key, segs in list(recorded.items()):
        if isinstance(key, tuple):
            continue
        s = next(s for _, s in plan if id(s) == key)
        r = reads_of[key]
        whole = DocSegment(segs[0].kind, segs[0].start, segs[-1].end, segs[0].title, segs[0].author, segs[0].anchor)
        add_record(b, s.src, r.lines, r.layout, whole, recorded[("rec", key)], pack, agenda_items, False)
    attach_documents(b, pack, agenda_items, kept, (front or reads[0]).src)


def _same_meeting(fs: FrontSheet, pack: Meeting) -> bool:
    """A second front sheet of the pack's meeting (a supplement, or the agenda filed alone)."""
    return (fs.date is None or fs.date == pack.date) and same_body(fs.committee, pack.committee)


def _record_of(r: _Read, s: Source, seg: DocSegment, listed: str | None, front_text: str, read: bool = False):
    """The record of another meeting ``seg`` is, if it is one: a whole file's first document, or
    a document of a pack under its agenda line. ``read``: the file's own minutes heading has been
    read, so its name is not evidence for what is left of it."""
    if not s.pack and seg is not s.segments[0]:
        return None
    head = [ln.text for ln in r.lines[line_at(r.lines, seg.start):line_at(r.lines, seg.end)][:40]
            if not r.layout.furniture(ln)][:10]
    return find_record(head, None if s.pack or read else s.name, listed if s.pack else None,
                       texts=[r.src.text[seg.start:seg.start + 3000], front_text])


def _front_sheet_end(src: SourceText, lines: list[Line], layout: Layout, fs: FrontSheet | None = None) -> int:
    """The front sheet runs until the minutes heading or the first document cover, and never
    past the first page the agenda lists."""
    end = len(src.text)
    for i, ln in enumerate(lines):
        t = ln.text
        if BRIEFING_RE.match(t) or SUBJECT_RE.match(t) or is_minutes_start(lines, i):
            k = i - 1
            while k >= 0 and layout.furniture(lines[k]):
                k -= 1
            start = k if k >= 0 and COUNCIL_RE.match(lines[k].text) else i
            end = snap_to_page(lines, start, layout)
            break
    listed = [e.page_start for e in (fs.entries if fs else ()) if e.page_start]
    if src.pages and listed:
        first = min(listed)
        at = next((p.start for p in src.pages[1:] if p.printed_page is not None and p.printed_page >= first), None)
        if at is not None:
            end = min(end, at)
    return end


def _first_line_of_page(r: _Read, printed: int) -> str | None:
    page = next((p for p in r.src.pages if p.printed_page == printed), None)
    if page is None:
        return None
    return next((ln.text for ln in r.lines[line_at(r.lines, page.start):line_at(r.lines, page.end)]
                 if not r.layout.furniture(ln)), None)


def _pages_agree(r: _Read, entries) -> bool:
    """Do the agenda's "(Pages a - b)" fit this file? Most listed first pages must open with the
    item's "Agenda Item" stamp or its title (a pack re-paginated since would not)."""
    listed = [e for e in entries if e.page_start]
    good = 0
    for e in listed:
        first = _first_line_of_page(r, e.page_start) or ""
        stamp = STAMP_RE.match(first)
        good += bool((stamp and stamp.group("num") == e.number) or title_similarity(first, e.title) >= 0.5)
    return bool(listed) and good * 2 >= len(listed)


def _unpaged(entries):
    """The entries without their page ranges (which do not fit the file)."""
    return tuple(AgendaEntry(e.number, e.title, None, None, e.author, e.private, e.line) for e in entries)


def _split_at_listed_pages(r: _Read, segs: list[DocSegment], entries, taken) -> list[DocSegment]:
    """In a pack, a document also begins on the first page of each "(Pages a - b)" the agenda lists."""
    starts = set()
    for e in entries:
        if e.page_start:
            page = next((p for p in r.src.pages if p.printed_page == e.page_start), None)
            if page is not None and not any(a <= page.start < z for a, z in taken):
                starts.add(page.start)
    out = []
    for seg in segs:
        cuts = sorted(x for x in starts if seg.start < x < seg.end)
        if not cuts:
            out.append(seg)
            continue
        bounds = [seg.start, *cuts, seg.end]
        for k in range(len(bounds) - 1):
            if k == 0:
                head = segment(r.src.text, r.lines, bounds[0], bounds[1], r.layout, seg.kind, seg.extras)
            else:
                head = segment(r.src.text, r.lines, bounds[k], bounds[k + 1], r.layout)
            if head is not None:
                if k == 0:
                    head.title, head.author = seg.title or head.title, seg.author
                out.append(head)
    return out


def _add_front_sheet(b: Builder, src: SourceText, m: Meeting, span, fs: FrontSheet) -> None:
    span = trim_span(src.text, *span)
    pages = pdf_pages(src, span)
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


def parse_pack(path: str | Path) -> list[Meeting]:
    """The meetings found in one pack (convenience for scripts and tests)."""
    return list(parse_path(path).meetings)
