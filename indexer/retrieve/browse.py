"""Reading the index by id: meetings, items with their full text, source files, counts.

These are the library functions behind the service's read endpoints (``GET /meetings``,
``/items/{id}``, ``/documents/{id}/source``, ``/health``); the CLI can call them too. They read
through the index's repository methods (``indexer/store/repository.py``) and shape the rows.

Every function takes ``include_restricted``. With the default (False) nothing from a
restricted (Part B, exempt) document is returned or counted: its passages, its sections in an
item, an item whose documents are all restricted, and the original file of any restricted
document (or of a file that also holds one). Hidden things look exactly like missing ones
(:class:`NotFound`), so an anonymous caller cannot tell that they exist.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexer.common.dates import long_date
from indexer.common.errors import CouncilError, NotFound
from indexer.store.index import Index
from indexer.common.contract import Citation, ItemRef
from indexer.common.results import citation, item_page_url, page_label, page_url

log = logging.getLogger(__name__)


class Withheld(CouncilError):
    """A public document whose original file also holds restricted papers (the API answers 403)."""

    def __init__(self, document_id: str) -> None:
        self.document_id = document_id
        super().__init__(
            f"the original file of {document_id!r} also holds restricted (Part B) papers, so only "
            "members can download it; the document's own text is on its item page")


# ------------------------------------------------------------------ small helpers

def _meeting_dict(r) -> dict:
    return {"id": r["id"], "committee": r["committee"], "council": r["council"], "date": r["date"],
            "date_label": long_date(date.fromisoformat(r["date"])), "start_time": r["start_time"],
            "place": r["place"]}


def item_label(kind: str, number: str | None) -> str:
    """"Minute 25", "Item 4", or "" for an unnumbered item."""
    if not number:
        return ""
    return ("Minute " if kind == "minute" else "Item ") + number


# ------------------------------------------------------------------ committees and meetings

def committees(index: Index) -> list[str]:
    """Committee names in the index, sorted (for the search form's select)."""
    return index.committees()


def counts(index: Index, include_restricted: bool = False) -> dict[str, int]:
    """How many meetings, documents, items and chunks a caller can see."""
    return index.counts(include_restricted)


def list_meetings(index: Index, include_restricted: bool = False, committee: str | None = None) -> list[dict]:
    """Every meeting, newest first, with the counts of what the caller can see."""
    rows = index.meetings(include_restricted, committee)
    return [{**_meeting_dict(r), "counts": {"documents": r["n_documents"], "items": r["n_items"],
                                            "chunks": r["n_chunks"]}} for r in rows]


def get_meeting(index: Index, meeting_id: str, include_restricted: bool = False) -> dict:
    """A meeting with its documents and its items in order: the agenda first, then the minutes."""
    m = index.meeting(meeting_id)
    if m is None:
        raise NotFound("meeting", meeting_id)
    out = _meeting_dict(m)
    out["documents"] = [_document_dict(d) for d in index.documents_of(meeting_id, include_restricted)]
    items = index.items_of(meeting_id, include_restricted)
    out["items"] = [{"id": i["id"], "kind": i["kind"], "number": i["number"], "title": i["title"],
                     "label": item_label(i["kind"], i["number"]), "page_start": i["page_start"],
                     "page_end": i["page_end"], "order": i["ord"], "restricted": bool(i["restricted"])} for i in items]
    return out


def _document_dict(d) -> dict:
    return {"id": d["id"], "doc_type": d["doc_type"], "title": d["title"], "author": d["author"],
            "meeting_id": d["meeting_id"], "published_for": d["published_for"], "path": d["path"],
            "page_start": d["page_start"], "page_end": d["page_end"],
            "pdf_page_start": d["pdf_page_start"], "pdf_page_end": d["pdf_page_end"], "url": d["url"],
            "restricted": bool(d["restricted"])}


# ------------------------------------------------------------------ items

def _file_text(index: Index, path: str, cache: dict[str, str]) -> str:
    if path not in cache:
        cache[path] = index.file_text(path)
    return cache[path]


def get_item(index: Index, item_id: str, include_restricted: bool = False,
             highlight: str | None = None) -> dict:
    """The full text of an item, as sections in order.

    A minute has one section, its body. An agenda item has one section per document that
    serves it (report, appendices, ...), each with its title, type and pages; an item with no
    papers has its agenda entry. ``highlight`` (a chunk id) adds ``{"section", "start", "end"}``:
    character offsets of that passage within that section's ``text``.
    """
    it = index.item(item_id, include_restricted)
    if it is None:
        raise NotFound("item", item_id)
    m = index.meeting(it["meeting_id"])
    texts: dict[str, str] = {}
    sections: list[dict] = []
    doc_ids = json.loads(it["document_ids"])
    docs = {}
    if doc_ids:
        docs = {d["id"]: d for d in index.documents(doc_ids, include_restricted)}
    if it["kind"] == "minute":
        d = docs.get(doc_ids[0]) if doc_ids else None
        if doc_ids and d is None:  # the minutes document itself is restricted
            raise NotFound("item", item_id)
        sections.append(_section(index, texts, it["path"], it["span_start"], it["span_end"], d,
                                 title=(d["title"] if d else "Minutes"), page_start=it["page_start"],
                                 page_end=it["page_end"]))
    else:
        for did in doc_ids:
            d = docs.get(did)
            if d is None:
                continue
            sections.append(_section(index, texts, d["path"], d["span_start"], d["span_end"], d))
        if not doc_ids:
            sections.append(_section(index, texts, it["path"], it["span_start"], it["span_end"], None,
                                     title="Agenda entry", page_start=None, page_end=None))
    label = item_label(it["kind"], it["number"])
    out = {
        "id": it["id"], "kind": it["kind"], "number": it["number"], "title": it["title"], "label": label,
        "meeting": _meeting_dict(m), "page_start": it["page_start"], "page_end": it["page_end"],
        "citation": item_citation(m, it, doc_ids),
        "sections": sections, "highlight": None, "restricted": bool(it["restricted"]),
    }
    if highlight:
        out["highlight"] = _locate(index, highlight, it["id"], sections, include_restricted)
    if not include_restricted:
        _redact_sections(index, sections, out["highlight"])
    return out


def item_citation(m, it, doc_ids: list[str]) -> dict:
    """The citation object of a whole item (no passage: ``id``, ``source`` and ``quote`` are null)."""
    when = date.fromisoformat(m["date"])
    return Citation(
        text=citation(m["committee"], when, it["kind"], it["number"], it["title"], it["page_start"], it["page_end"]),
        committee=m["committee"], meeting_date=m["date"], item=ItemRef(number=it["number"], title=it["title"]),
        pages=page_label(it["page_start"], it["page_end"]) or None, item_id=it["id"], meeting_id=m["id"],
        document_id=doc_ids[0] if len(doc_ids) == 1 else None, doc_type="minutes" if it["kind"] == "minute" else None,
        url=item_page_url(it["id"]), restricted=bool(it["restricted"])).model_dump()


WITHHELD = "[Private business withheld: restricted (Part B) papers are shown to members only.]"


def withheld_spans(index: Index, path: str, start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``path``'s text in [start, end) that hold restricted items, each from the end
    of the item before it (so the private minute's title and the "Private Business" heading go too).
    Agenda entries on a front sheet are titles, which stay public."""
    out: list[tuple[int, int]] = []
    prev_end = start
    for r in index.item_spans(path):
        a, b = r["span_start"], r["span_end"]
        if a is None or b is None or b <= start or a >= end or (a <= start and b >= end):
            continue  # outside the section, or the section itself
        if r["restricted"] and not (r["kind"] == "agenda" and r["document_ids"] == "[]"):
            lo = max(start, min(a, prev_end))
            if out and lo <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], min(b, end)))
            else:
                out.append((lo, min(b, end)))
        prev_end = max(prev_end, b)
    return out


def _redact_sections(index: Index, sections: list[dict], highlight: dict | None) -> None:
    """Cut restricted items out of the public sections (a "Minutes" agenda item shows the whole
    minutes document), moving a highlight's offsets with the text."""
    for n, s in enumerate(sections):
        spans = withheld_spans(index, s["path"], s["offset"], s["offset"] + len(s["text"]))
        if not spans:
            continue
        text, pieces, pos, shift = s["text"], [], 0, []
        for a, b in spans:
            a, b = a - s["offset"], b - s["offset"]
            pieces += [text[pos:a], WITHHELD]
            shift.append((b, (sum(map(len, pieces))) - b))  # after b, offsets move by this much
            pos = b
        pieces.append(text[pos:])
        s["text"] = "".join(pieces)
        if highlight and highlight["section"] == n:
            moved = max((d for b, d in shift if b <= highlight["start"]), default=0)
            highlight["start"] += moved
            highlight["end"] += moved


def _section(index: Index, texts: dict, path: str, start: int | None, end: int | None, d,
             title: str | None = None, page_start=..., page_end=...) -> dict:
    full = _file_text(index, path, texts)
    start = start or 0
    end = len(full) if end is None else end
    return {
        "document_id": d["id"] if d else None,
        "title": title if title is not None else d["title"],
        "doc_type": d["doc_type"] if d else None,
        "author": d["author"] if d else None,
        "path": path,
        "page_start": d["page_start"] if page_start is ... else page_start,
        "page_end": d["page_end"] if page_end is ... else page_end,
        "pdf_page_start": d["pdf_page_start"] if d else None,
        "url": d["url"] if d else None,  # the document on the council's site
        "page_url": page_url(d["url"], d["id"], d["pdf_page_start"]) if d else None,
        "offset": start,  # where ``text`` starts in the source file's text
        "text": full[start:end],
        "restricted": bool(d["restricted"]) if d else False,
    }


def _locate(index: Index, chunk_id: str, item_id: str, sections: list[dict], include_restricted: bool) -> dict:
    """Where a cited passage sits in an item's sections; NotFound if it is not in this item."""
    c = index.passage(chunk_id, include_restricted)
    if c is None:
        raise NotFound("passage", chunk_id)
    for n, s in enumerate(sections):
        s_start, s_end = s["offset"], s["offset"] + len(s["text"])
        if s["path"] == c["path"] and s_start <= c["span_start"] and c["span_end"] <= s_end \
                and s["document_id"] in (None, c["document_id"]):
            return {"chunk_id": chunk_id, "section": n, "start": c["span_start"] - s_start,
                    "end": c["span_end"] - s_start, "page_start": c["page_start"], "page_end": c["page_end"],
                    "pdf_page": c["pdf_page"],
                    "page_url": page_url(s["url"], s["document_id"], c["pdf_page"]) if s["document_id"] else None}
    raise NotFound("passage", f"{chunk_id} in item {item_id}")


def chunk_links(index: Index, chunk_ids: list[str], include_restricted: bool = False) -> dict[str, dict]:
    """For cited chunks: the item, meeting and document they belong to, and the PDF page.

    The result contract names a passage by chunk id only; pages use this to link each
    citation to its item view and its original file.
    """
    if not chunk_ids:
        return {}
    out = {}
    for r in index.passage_links(chunk_ids, include_restricted):
        pdf_page = r["pdf_page"]
        if pdf_page is None and r["kind"] == "pdf":
            for start, end, pdf, _printed in json.loads(r["pages"] or "[]"):
                if start <= r["span_start"] <= end + 2:
                    pdf_page = pdf
                    break
        out[r["id"]] = {"item_id": r["item_id"], "meeting_id": r["meeting_id"],
                        "document_id": r["document_id"], "path": r["path"], "pdf_page": pdf_page,
                        "url": r["url"], "page_url": page_url(r["url"], r["document_id"], pdf_page),
                        "label": item_label(r["item_kind"] or "", r["item_number"])}
    return out


# ------------------------------------------------------------------ source files

def withheld_files(index: Index, include_restricted: bool = False) -> set[str]:
    """Paths of source files a caller may not download (they hold a restricted document)."""
    if include_restricted:
        return set()
    return index.restricted_paths()


@dataclass(frozen=True)
class SourceFile:
    path: Path  # resolved, inside ``root``
    root: Path
    media_type: str
    filename: str
    pdf_page: int | None


MEDIA_TYPES = {".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
               ".md": "text/plain; charset=utf-8"}  # markdown shown as text, never rendered


def source_file(index: Index, document_id: str, include_restricted: bool = False,
                corpus_root: str | Path | None = None) -> SourceFile:
    """The original file a document came from, checked to lie inside its root.

    The root is ``corpus_root`` when given, else the root recorded for the document's unit in
    the manifest. A path that resolves outside the root (``..``, an absolute path, a symlink
    pointing out) or a file that is gone raises :class:`NotFound`.
    """
    d = index.document(document_id)
    if d is None or (d["restricted"] and not include_restricted):
        raise NotFound("document", document_id)
    if not include_restricted and index.holds_restricted(d["path"]):
        raise Withheld(document_id)
    if corpus_root is not None:
        root = Path(corpus_root)
    else:
        unit = index.manifest.get("units", {}).get(d["unit"], {})
        if not unit.get("root"):
            log.warning("no root recorded for unit %s; cannot serve %s", d["unit"], document_id)
            raise NotFound("source file for document", document_id)
        root = Path(unit["root"])
    root = root.resolve()
    rel = Path(d["path"])
    target = (root / rel).resolve()
    if rel.is_absolute() or not target.is_relative_to(root) or not target.is_file():
        log.warning("source of %s not served: %s is not a file under %s", document_id, d["path"], root)
        raise NotFound("source file for document", document_id)
    media = MEDIA_TYPES.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    return SourceFile(target, root, media, target.name, d["pdf_page_start"])

