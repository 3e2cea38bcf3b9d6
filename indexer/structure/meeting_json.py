"""A meeting folder's ``meeting.json`` (written by the ModernGov fetcher) applied to what the
reader found: the council's own agenda items, document URLs and restricted flags, not guesses.

The reader still reads every file (the front sheet, the minutes, each report's pages and
printed page numbers). This module then:

- gives each document its URL on the council's site and its restricted flag;
- rebuilds the agenda items from the ``items`` list: each item's number and title as the
  council published them, and the documents listed under it attached to it;
- blanks the pages of an agenda pack that repeat a per-item document of the same meeting
  (:func:`without_repeats`), so the same passage is never indexed, found or shown twice. A
  pack whose pages are not in the parts keeps them: then the pack is indexed.

All functions are pure over the parsed ``meeting.json`` (a dict) and the reader's records.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import time
from pathlib import Path, PurePosixPath

from indexer.common.errors import ParseError
from indexer.common.models import Document, Item, Meeting, ParsedSource, SourceText, slugify

_WORDS = re.compile(r"[^\W\d_]+")


def read(path: Path) -> dict | None:
    """The ``meeting.json`` of a meeting folder (or beside a file); None when there is none."""
    mj = path / "meeting.json" if path.is_dir() else path.parent / "meeting.json"
    if not mj.is_file():
        return None
    try:
        raw = json.loads(mj.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(mj, f"invalid meeting.json ({exc})") from None
    if not isinstance(raw, dict):
        raise ParseError(mj, "invalid meeting.json (not an object)")
    return raw


def listed_files(raw: dict) -> dict[str, list[tuple[int | None, dict]]]:
    """File name -> [(index of the agenda item listing it, or None for the meeting's own
    documents, the listing)], in the order meeting.json gives them."""
    out: dict[str, list[tuple[int | None, dict]]] = {}
    for i, it in enumerate(raw.get("items") or []):
        for d in (it or {}).get("documents") or []:
            if isinstance(d, dict) and d.get("file"):
                out.setdefault(_norm(d["file"]), []).append((i, d))
    for d in raw.get("documents") or []:
        if isinstance(d, dict) and d.get("file"):
            out.setdefault(_norm(d["file"]), []).append((None, d))
    return out


def _norm(name: str) -> str:
    return str(PurePosixPath(name.replace("\\", "/")))


def _page_key(text: str) -> str:
    """A page's words without numbers or the word "page": the same page reads the same in a
    pack (renumbered, with its own footers) and in the document it was copied from."""
    return " ".join(w for w in _WORDS.findall(text.lower()) if w != "page")


def without_repeats(sources: list[SourceText], raw: dict | None, folder: str) -> list[SourceText]:
    """Blank the pages of the meeting's own documents (the agenda pack, a supplement) that repeat
    a page already read: the documents listed under agenda items come first, then the
    meeting's documents from the shortest (a front sheet) to the longest (the pack). Offsets
    and page boundaries stay as they were, so nothing else moves."""
    if not raw:
        return sources
    listed = listed_files(raw)
    parts = {f for f, where in listed.items() if any(i is not None for i, _ in where)}
    packs = [s for s in sources if s.pages and _rel(s.path, folder) in listed and _rel(s.path, folder) not in parts]
    seen = {_page_key(src.text[p.start:p.end]) for src in sources if _rel(src.path, folder) in parts
            for p in src.pages}
    blanked: dict[str, SourceText] = {}
    for src in sorted(packs, key=lambda s: (len(s.pages), s.path)):
        text = src.text
        for p in src.pages:
            key = _page_key(text[p.start:p.end])
            if key and key in seen:
                text = text[:p.start] + re.sub(r"[^\n]", " ", text[p.start:p.end]) + text[p.end:]
            seen.add(key)
        if text != src.text:
            blanked[src.path] = replace(src, text=text)
    return [blanked.get(s.path, s) for s in sources]


def _rel(path: str, folder: str) -> str:
    """A source path relative to its meeting folder (``folder`` is the unit's shown path)."""
    p = PurePosixPath(path)
    try:
        return str(p.relative_to(folder)) if folder and folder != path else p.name
    except ValueError:
        return p.name


def apply(ps: ParsedSource, raw: dict | None) -> ParsedSource:
    """``ps`` with meeting.json's URLs, restricted flags and agenda items applied."""
    if not raw:
        return ps
    listed = listed_files(raw)
    folder = ps.path if len(ps.sources) > 1 or Path(ps.path).suffix == "" else str(PurePosixPath(ps.path).parent)
    docs: list[Document] = []
    for d in ps.documents:
        where = listed.get(_rel(d.path, folder)) or []
        if where:
            whole = sum(1 for x in ps.documents if x.path == d.path) == 1
            listing = next((x for i, x in where if i is not None), where[0][1])
            d = replace(d, url=d.url or listing.get("url"),
                        restricted=d.restricted or any(bool(x.get("restricted")) for _, x in where),
                        title=(listing.get("title") or d.title) if whole else d.title)
        docs.append(d)
    items = _items(ps, raw, listed, docs, folder)
    meetings = tuple(_with_time(m, raw) for m in ps.meetings)
    return replace(ps, meetings=meetings, documents=tuple(docs), items=tuple(items))


def _with_time(m: Meeting, raw: dict) -> Meeting:
    """The 24-hour start time ("15:00") the fetcher writes, where the reader found none."""
    if m.start_time is not None or m.committee != raw.get("committee") or m.date.isoformat() != raw.get("date"):
        return m
    try:
        return replace(m, start_time=time.fromisoformat(str(raw.get("start_time") or "")[:5]))
    except ValueError:
        return m


def _items(ps: ParsedSource, raw: dict, listed, docs: list[Document], folder: str) -> list[Item]:
    pack = _pack_meeting(ps, raw)
    mj_items = [it for it in raw.get("items") or [] if isinstance(it, dict)]
    if pack is None or not mj_items:
        return list(ps.items)
    by_item: dict[int, list[Document]] = {}  # in the order each item lists its documents
    for k, it in enumerate(mj_items):
        for listing in it.get("documents") or []:
            name = _norm(listing.get("file") or "") if isinstance(listing, dict) else ""
            for d in docs:
                if name and _rel(d.path, folder) == name and d not in by_item.get(k, []):
                    by_item.setdefault(k, []).append(d)
    covered = {d.id for ds in by_item.values() for d in ds}
    reader_agenda = [it for it in ps.items if it.kind == "agenda" and it.meeting_id == pack
                     and not it.id.endswith("/agenda")]
    numbers = {str(it.get("number") or "").strip(): k for k, it in enumerate(mj_items)}
    extra: dict[int, list[str]] = {}
    like: dict[int, Item] = {}
    kept: list[Item] = []
    for r in reader_agenda:  # what the reader found that meeting.json does not place itself
        k = numbers.get(r.number or "")
        if k is not None:
            like.setdefault(k, r)
        left = [i for i in r.document_ids if i not in covered]
        if not left:
            continue
        if k is not None:
            extra.setdefault(k, []).extend(left)
        else:
            kept.append(r)
    by_id = {d.id: d for d in docs}
    built: list[Item] = []
    for k, it in enumerate(mj_items):
        number = str(it.get("number") or "").strip() or None
        title = str(it.get("title") or "").strip() or (like[k].title if k in like else f"Item {number or k + 1}")
        ids = [d.id for d in by_item.get(k, [])] + [i for i in extra.get(k, []) if i in by_id]
        ids = list(dict.fromkeys(ids))
        primary = next((by_id[i] for i in ids if by_id[i].doc_type not in ("appendix", "minutes")),
                       by_id[ids[0]] if ids else None)
        base = like.get(k)
        if primary is not None:
            path, span = primary.path, primary.span
        elif base is not None:
            path, span = base.path, base.span
        else:
            found = _title_line(ps, title)
            if found is None:
                continue  # nothing to show or search for this item
            path, span = found
        body = ps.source_for(path).text[span[0]:span[1]]
        item_id = f"{pack}/item-{slugify(number) or number}" if number else f"{pack}/item-{slugify(title)[:40]}"
        built.append(Item(
            id=item_id, meeting_id=pack, kind="agenda", number=number, title=title, body=body, span=span,
            path=path, document_ids=tuple(ids),
            page_start=base.page_start if base else (primary.page_start if primary else None),
            page_end=base.page_end if base else (primary.page_end if primary else None),
            order=k + 1))
    taken = {b.id for b in built}
    kept = [r for r in kept if r.id not in taken]
    replaced = {r.id for r in reader_agenda}
    others = [it for it in ps.items if it.id not in replaced]
    order = len(mj_items) + 1
    tail = []
    titles = {d.id: d.title for d in docs if listed.get(_rel(d.path, folder))
              and sum(1 for x in docs if x.path == d.path) == 1}
    for r in kept:  # a meeting's own document (front sheet, minutes) under the council's title
        title = titles.get(r.document_ids[0], r.title) if len(r.document_ids) == 1 else r.title
        tail.append(replace(r, order=order, title=title))
        order += 1
    return others + built + tail


def _pack_meeting(ps: ParsedSource, raw: dict) -> str | None:
    for m in ps.meetings:
        if m.committee == raw.get("committee") and m.date.isoformat() == raw.get("date"):
            return m.id
    return None


def _title_line(ps: ParsedSource, title: str) -> tuple[str, tuple[int, int]] | None:
    """Where an item's title is printed (on the front sheet), for an item with no papers."""
    needle = " ".join(title.split()).lower()
    if not needle:
        return None
    for src in ps.sources:
        at = src.text.lower().find(needle)
        if at >= 0:
            start = src.text.rfind("\n", 0, at) + 1
            end = src.text.find("\n", at)
            return src.path, (start, end if end >= 0 else len(src.text))
    return None
