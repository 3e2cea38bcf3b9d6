"""What the item, meeting and home pages show beyond the library's dicts: dates in words, the pack
a minute was published in, tables as tables, and what the index covers.

Pure shaping over what ``indexer.retrieve.browse`` and the index's repository methods return;
routes_html.py calls these and the templates render them.
"""

from __future__ import annotations

import json
import re
from datetime import date

from indexer.common.clean import clean_line, clean_text
from indexer.common.dates import long_date
from indexer.common.results import page_label
from indexer.retrieve import browse
from indexer.store.index import Index

_ISO = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b")


def date_words(value) -> str:
    """"2020-01-09" -> "9 January 2020"; anything else as it is."""
    try:
        return long_date(date.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def prose_dates(text) -> str:
    """ISO dates inside prose ("Minutes of the meeting held on 2019-11-28") written in words."""
    def words(m: re.Match) -> str:
        try:
            return long_date(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            return m.group(0)
    return _ISO.sub(words, str(text or ""))


def pack_note(meeting_date: str, published_for: str | None, pages: str) -> str:
    """"minutes of 28 November 2019, published with the pack for 9 January 2020, pages 3–8"."""
    out = f"minutes of {date_words(meeting_date)}"
    if published_for and published_for != meeting_date:
        out += f", published with the pack for {date_words(published_for)}"
    return out + (f", {pages}" if pages else "")


def _pack_date(published_for: str | None) -> str | None:
    """The meeting id a document was published for ("<committee>/<YYYY-MM-DD>") as its date."""
    m = re.search(r"(\d{4}-\d\d-\d\d)$", published_for or "")
    return m.group(1) if m else None


# ------------------------------------------------------------------ item page

def item_extras(index: Index, it: dict, member: bool) -> dict:
    """The pack note of a minute, and each section's text as blocks (text and tables)."""
    doc_ids = [s["document_id"] for s in it["sections"] if s["document_id"]]
    docs = {d["id"]: d for d in index.documents(doc_ids, member)} if doc_ids else {}
    note = None
    if it["kind"] == "minute" and it["sections"]:
        d = docs.get(it["sections"][0]["document_id"] or "")
        note = pack_note(it["meeting"]["date"], _pack_date(d["published_for"]) if d else None,
                         page_label(it["page_start"], it["page_end"]))
    hl = it["highlight"]
    for n, s in enumerate(it["sections"]):
        d = docs.get(s["document_id"] or "")
        tables = json.loads(d["tables"]) if d is not None else []
        s["blocks"] = section_blocks(s, tables, hl if hl and hl["section"] == n else None)
        s["title"] = prose_dates(s["title"])
    return {"pack_note": note}


def section_blocks(s: dict, tables: list[dict], hl: dict | None) -> list[dict]:
    """A section's text cut into text blocks and tables (header and rows, from the store).

    A table is rendered as a table only where the section's text still holds it as read (a
    section with withheld papers cut out, or a table holding the cited passage, stays text, so
    offsets and the highlight stay right)."""
    text, base = s["text"], s["offset"]
    cuts = []
    for t in sorted(tables, key=lambda t: t["span"][0]):
        a, b = t["span"][0] - base, t["span"][1] - base
        if a < 0 or b > len(text) or not t["rows"] or (cuts and a < cuts[-1][1]):
            continue
        if hl and a < hl["end"] and hl["start"] < b:
            continue
        first = "\t".join(t["header"])
        if not text[a:b].startswith(first[: min(len(first), 20)]):
            continue  # the text moved (withheld papers cut out): keep it as text
        cuts.append((a, b, t))
    blocks, pos = [], 0
    marks = [(hl["start"], hl["end"])] if hl else []
    for a, b, t in cuts:
        blocks += _text_blocks(text, pos, a, marks)
        width = max(len(t["header"]), *(len(r["cells"]) for r in t["rows"]))
        blocks.append({"kind": "table", "header": _pad([_cell(c) for c in t["header"]], width),
                       "rows": [_pad([_cell(c) for c in r["cells"]], width) for r in t["rows"]]})
        pos = b
    blocks += _text_blocks(text, pos, len(text), marks)
    return [b for b in blocks if b["kind"] == "table" or b["text"].strip() or b["hl"]]


def _cell(text: str) -> str:
    """A cell's words without conversion markup; its own line breaks become spaces."""
    return " ".join(clean_line(ln) for ln in str(text).splitlines() if clean_line(ln))


def _pad(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def _text_blocks(text: str, a: int, b: int, marks: list[tuple[int, int]]) -> list[dict]:
    out = []
    for s, e in marks:
        if a <= s and e <= b:
            return [{"kind": "text", "text": clean_text(text[a:s]), "hl": False},
                    {"kind": "text", "text": clean_text(text[s:e]), "hl": True},
                    {"kind": "text", "text": clean_text(text[e:b]), "hl": False}]
    out.append({"kind": "text", "text": clean_text(text[a:b]), "hl": False})
    return out


# ------------------------------------------------------------------ meeting page

def meeting_extras(m: dict) -> dict:
    """Document titles in words, and for a meeting whose minutes came in a later pack, which one."""
    packs = set()
    for d in m["documents"]:
        d["title"] = prose_dates(d["title"])
        pack = _pack_date(d["published_for"])
        d["pack_note"] = (f"published with the pack for {date_words(pack)}"
                          if pack and d["meeting_id"] == m["id"] and d["published_for"] != m["id"] else None)
        if d["doc_type"] == "minutes" and d["pack_note"]:
            packs.add(pack)
    for i in m["items"]:
        i["title"] = prose_dates(i["title"])
    minutes_note = None
    if packs:
        minutes_note = "These minutes were " + " and ".join(
            f"published with the pack for {date_words(p)}" for p in sorted(packs)) + "."
    return {"minutes_note": minutes_note}


# ------------------------------------------------------------------ home page

def coverage(index: Index, member: bool) -> dict:
    """What the index covers, counting only what the caller may see."""
    meetings = browse.list_meetings(index, include_restricted=member)
    counts = browse.counts(index, include_restricted=member)
    dates = sorted(m["date"] for m in meetings)
    return {"committees": browse.committees(index), "meetings": len(meetings),
            "documents": counts["documents"], "passages": counts["chunks"], "items": counts["items"],
            "first": date_words(dates[0]) if dates else None, "last": date_words(dates[-1]) if dates else None,
            "first_iso": dates[0] if dates else None, "last_iso": dates[-1] if dates else None}
