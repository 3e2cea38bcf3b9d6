"""Which agenda item each document serves, and the items and documents that follow from it.

A document is attached to the agenda item it serves by, in order:

1. the "Agenda Item 7" stamp ModernGov prints on a report's first page in a pack, or "Item 7"
   in the file's name;
2. in a pack, the agenda's "(Pages 9 - 14)" range holding the document's first printed page;
3. the title: the document's own (or its file name) against the agenda's titles. In a pack,
   reports follow the agenda's order and a document without a cover of its own (an appendix)
   belongs to the item before it; in a folder each file is matched on its own, and an unmatched
   appendix file follows the previous file's item.

A document no agenda line serves is an item of its own, under its own title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.common.models import Document, Item, Meeting, SourceText, slugify
from indexer.ingest.names import FileName
from indexer.structure.builder import Builder
from indexer.structure.common import trim_span
from indexer.structure.documents import DocSegment
from indexer.structure.meetings import AgendaEntry
from indexer.structure.pages import page_of, page_span, pdf_pages
from indexer.structure.trackers import find_tables

_STOPWORDS = set("a an and the of for to in on with by update report briefing note progress from".split())
COVER_KINDS = ("briefing", "report", "work_programme")
_APPENDIX_FILE = re.compile(r"^[\d\s._-]*appendi(?:x|ces)\b", re.I)  # "04 Appendix A.pdf"
_NAME_TYPES = {"appendix": "appendix", "eqia": "appendix", "dpia": "appendix", "decisions": "other",
               "questions": "other"}


@dataclass
class Source:
    """How one source's documents are matched: its name, and its own agenda when it has one
    (the pack's front sheet, or a supplement's list of the items it adds to)."""

    src: SourceText
    name: FileName | None
    entries: tuple[AgendaEntry, ...] = ()
    pack: bool = False  # documents follow an agenda in order (a pack), not one file each
    segments: list[DocSegment] = field(default_factory=list)


def _tokens(s: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", s.lower().replace("'", "").replace("’", ""))
    return {w.rstrip("s") for w in words if w not in _STOPWORDS and len(w) > 1}


def title_similarity(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def doc_type_for(entry_title: str, seg_kind: str, primary: bool) -> str:
    low = entry_title.lower()
    if "work programme" in low or seg_kind == "work_programme":
        return "work_programme"
    if "outstanding issue" in low:
        return "outstanding_issues"
    return "report" if primary else "appendix"


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


def _by_number(agenda_items, number: str | None) -> int | None:
    if not number:
        return None
    return next((k for k, (e, _) in enumerate(agenda_items) if e.number.lower() == number.lower()), None)


def _listed_page(s: Source, seg: DocSegment, agenda_items) -> int | None:
    """The agenda item whose "(Pages a - b)" holds the document's first printed page."""
    if not s.src.pages or not s.entries:
        return None
    p = page_of(s.src, seg.start)
    if p is None:
        return None
    e = next((e for e in s.entries if e.page_start and e.page_start <= p <= (e.page_end or e.page_start)), None)
    return _by_number(agenda_items, e.number) if e else None


def assign(agenda_items, sources: list[Source], folder: bool) -> list[tuple[int | None, Source, DocSegment]]:
    """Which agenda item (index into ``agenda_items``) each segment serves (see the module docstring)."""
    targets = [i for i, (e, _) in enumerate(agenda_items) if not e.title.lower().startswith("minutes")]
    out = []
    current = None
    for s in sources:
        pointer = 0
        for n, seg in enumerate(s.segments):
            first_of_file = n == 0
            by_mark = _by_number(agenda_items, seg.extras.get("item") or (
                s.name.item if s.name is not None and not s.pack and first_of_file else None))
            best = by_mark if by_mark is not None else _listed_page(s, seg, agenda_items)
            in_folder = folder and not s.pack
            stem = (s.name.stem if s.name is not None else Path(s.src.path).stem) if in_folder and first_of_file else None
            if in_folder and first_of_file and seg.kind == "leading" and stem and (
                    _APPENDIX_FILE.match(stem) or (s.name is not None and s.name.kind == "appendix")):
                seg.kind = "appendix"
            if best is None and (seg.kind in (*COVER_KINDS, "leading") or stem):
                candidates = targets if in_folder else targets[pointer:]
                k, score = _match(seg, stem, [agenda_items[t][0] for t in candidates])
                best = candidates[k] if k is not None and score >= 0.5 else None
            if best is not None:
                current = best
                pointer = targets.index(best) if best in targets else pointer
            elif in_folder and first_of_file and seg.kind != "appendix":
                current = None  # a file that serves no agenda item is an item of its own
            elif current is None and targets and not in_folder:
                # before any match: the first agenda item with pages after the minutes
                current = next((t for t in targets if agenda_items[t][0].page_start), None)
            out.append((current, s, seg))
    return out


def attach_documents(b: Builder, m: Meeting, agenda_items, assigned, front_src: SourceText) -> None:
    """Add one item per agenda entry with the reports that serve it, and one per document that
    serves none."""
    by_item: dict[int | None, list[tuple[Source, DocSegment]]] = {}
    for idx, s, seg in assigned:
        by_item.setdefault(idx, []).append((s, seg))
    order = 1
    for idx, (e, docs) in enumerate(agenda_items):
        # the pack's own documents first (the agenda's pages), then files filed beside it
        segs = sorted(by_item.get(idx, []), key=lambda x: (not x[0].pack, x[0].src is not front_src))
        primary_seg = next((sg for s, sg in segs if sg.kind not in ("appendix", "continuation")
                            and _NAME_TYPES.get(s.name.kind if s.name else "") != "appendix"), None)
        new_docs = []
        for s, seg in segs:
            dt = doc_type_for(e.title, seg.kind, seg is primary_seg)
            new_docs.append(make_document(b, m, s.src, seg, dt, seg.title or e.title,
                                          seg.author or (e.author if seg is primary_seg else None),
                                          (e.page_start, e.page_end), e.private))
        primary = next((d for d, (_, sg) in zip(new_docs, segs) if sg is primary_seg),
                       new_docs[0] if new_docs else None)
        # the body is the item's report; an item with none is its line on the front sheet
        body_src = next((s.src for s, _ in segs if s.src.path == primary.path), None) if primary else front_src
        span = primary.span if primary else trim_span(front_src.text, e.line.start, e.line.end)
        b.add_item(Item(
            id=f"{m.id}/item-{e.number}", meeting_id=m.id, kind="agenda", number=e.number, title=e.title,
            body=body_src.text[span[0]:span[1]], span=span, path=body_src.path,
            document_ids=tuple(d.id for d in docs + new_docs), page_start=e.page_start,
            page_end=e.page_end, order=order,
        ))
        order += 1
    # documents with no agenda entry to attach to: each is an item of its own
    for n, (s, seg) in enumerate(by_item.get(None, []), start=1):
        dt = "work_programme" if seg.kind == "work_programme" else (
            "appendix" if seg.kind == "appendix" else _NAME_TYPES.get(s.name.kind if s.name else "", "report"))
        title = seg.title or (s.name.title if s.name else Path(s.src.path).stem)
        doc = make_document(b, m, s.src, seg, dt, title, seg.author, (None, None), False)
        b.add_item(Item(id=f"{m.id}/doc-{slugify(doc.title)[:40]}-{n}", meeting_id=m.id, kind="agenda",
                        number=None, title=doc.title, body=s.src.text[seg.start:seg.end],
                        span=(seg.start, seg.end), path=s.src.path, document_ids=(doc.id,),
                        page_start=doc.page_start, page_end=doc.page_end, order=order))
        order += 1


def make_document(b: Builder, m: Meeting, src: SourceText, seg: DocSegment, doc_type: str, title: str,
                  author: str | None, listed: tuple[int | None, int | None], private: bool,
                  meeting: Meeting | None = None) -> Document:
    """A document of ``meeting`` (default: ``m``) published in ``m``'s papers."""
    span = (seg.start, seg.end)
    ps, pe = page_span(src, span, *listed)
    pdfp = pdf_pages(src, span)
    doc = Document(
        id=b.doc_id(m.id, src, doc_type), meeting_id=(meeting or m).id, published_for=m.id, doc_type=doc_type,
        title=title, path=src.path, span=span, author=author, page_start=ps, page_end=pe,
        pdf_page_start=pdfp[2], pdf_page_end=pdfp[3], tables=tuple(find_tables(src.text, span)),
        restricted=private,
    )
    b.documents.append(doc)
    return doc
