"""Split a parsed source into retrievable passages: ``chunk_source(ps) -> list[Chunk]``.

What gets chunked:

- a minute item: its body (the minutes document itself is only chunked through its minutes);
- an agenda item: each of its documents over the document's span, except minutes documents;
- the front sheet (item ``<meeting>/agenda``): its agenda document, like any other.

How: a region (a minute body or a document) that fits ``max_words`` is one chunk. A longer
region is cut into its tables and the prose between them. Prose goes through langchain's
``RecursiveCharacterTextSplitter`` counting words; a table is cut between rows into pieces of
at most ``max_words`` and each piece carries the table's column names in ``Chunk.header``. A
table's caption (the short paragraph or two just before it) opens its first piece and is repeated
in every piece's header.
Every chunk's ``text`` is the verbatim slice ``source.text[start:end]``: the splitter only
returns strings, so offsets are found again here and checked, never taken on trust.
No chunk has more than ``1.5 * max_words`` words, whatever the input: anything longer is cut
by words.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from indexer.common.dates import long_date
from indexer.common.models import Chunk, Document, Item, Meeting, ParsedSource, Span, Table, slugify
from indexer.structure.reader import page_span

log = logging.getLogger(__name__)

CAP_FACTOR = 1.5
VERSION = "by-item-v2"  # in every index manifest: a change re-chunks every file (v2: table captions)
_WORD = re.compile(r"\S+")
# Paragraphs, then list items, then lines, then sentences, then words. Regexes with
# lookarounds rather than the literal "\n- " and ". " so that a bullet keeps its "- " and a
# sentence keeps its full stop (the literal forms would start chunks with "- " or ". ").
_SEPARATORS = [r"\n[ \t]*\n", r"\n(?=[ \t]*[-•] )", r"\n", r"(?<=[.?!;:] )", r"[ \t]"]


def n_words(text: str) -> int:
    return len(text.split())


@lru_cache(maxsize=8)
def _splitter(max_words: int, overlap_words: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        separators=_SEPARATORS, is_separator_regex=True, keep_separator=True,
        chunk_size=max_words, chunk_overlap=overlap_words, length_function=n_words,
        strip_whitespace=True,
    )


def _trim(text: str, lo: int, hi: int) -> Span | None:
    """The span without surrounding whitespace; None when nothing is left."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return (lo, hi) if lo < hi else None


def _word_windows(text: str, lo: int, hi: int, max_words: int, overlap: int) -> list[Span]:
    """Windows of ``max_words`` words, ``overlap`` shared: the fallback that always fits."""
    words = [m.span() for m in _WORD.finditer(text, lo, hi)]
    step = max(1, max_words - overlap)
    spans = []
    for i in range(0, len(words), step):
        j = min(i + max_words, len(words))
        spans.append((words[i][0], words[j - 1][1]))
        if j == len(words):
            break
    return spans


def _capped(text: str, spans: list[Span], max_words: int, overlap: int) -> list[Span]:
    cap = int(max_words * CAP_FACTOR)
    out: list[Span] = []
    for a, b in spans:
        if n_words(text[a:b]) > cap:
            out.extend(_word_windows(text, a, b, max_words, overlap))
        else:
            out.append((a, b))
    return out


def _covers(text: str, lo: int, hi: int, spans: list[Span]) -> bool:
    """Do the spans, in order, leave no non-blank character of [lo, hi) out?"""
    pos = lo
    for a, b in spans:
        if text[pos:a].strip():
            return False
        pos = max(pos, b)
    return not text[pos:hi].strip()


def _prose_spans(text: str, lo: int, hi: int, max_words: int, overlap: int) -> list[Span]:
    trimmed = _trim(text, lo, hi)
    if trimmed is None:
        return []
    lo, hi = trimmed
    if n_words(text[lo:hi]) <= max_words:
        return [(lo, hi)]
    spans: list[Span] = []
    pos = lo
    for piece in _splitter(max_words, overlap).split_text(text[lo:hi]):
        # each piece is a stripped slice of the region, later pieces start later
        start = text.find(piece, pos, hi)
        if start < 0:
            log.warning("splitter returned text not found in the source at %d-%d; "
                        "cutting by words instead", lo, hi)
            return _word_windows(text, lo, hi, max_words, overlap)
        spans.append((start, start + len(piece)))
        pos = start + 1
    if not _covers(text, lo, hi, spans):
        log.warning("splitter left text out at %d-%d; cutting by words instead", lo, hi)
        return _word_windows(text, lo, hi, max_words, overlap)
    return _capped(text, _merge_small(text, spans, max_words), max_words, overlap)


def _merge_small(text: str, spans: list[Span], max_words: int) -> list[Span]:
    """Join neighbours whose union still fits. The recursive splitter leaves fragments where
    it changed separator level: a heading alone, half a paragraph broken at a PDF line end."""
    out: list[Span] = []
    for a, b in spans:
        if out and n_words(text[out[-1][0]:b]) <= max_words:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _table_spans(text: str, table: Table, lo: int, hi: int, max_words: int,
                 overlap: int) -> list[Span]:
    """Pieces of whole rows, each up to ``max_words`` unless one row alone is longer.

    The pieces tile [lo, hi) up to blank lines: the first also holds the header line, and
    text between rows (a header repeated after a page break, a footnote) stays with the row
    before it, so nothing is lost and nothing is chunked again as prose.
    """
    lo += len(text[lo:hi]) - len(text[lo:hi].lstrip("\r\n"))
    bounds = [lo] + [r.span[0] for r in table.rows if lo < r.span[0] < hi] + [hi]
    starts, words = [lo], 0
    for a, b in zip(bounds, bounds[1:]):
        w = n_words(text[a:b])
        if words and words + w > max_words:
            starts.append(a)
            words = 0
        words += w
    # a piece keeps the leading tab of a row whose first cell is empty: the columns line up
    pieces = [(a, a + len(text[a:b].rstrip())) for a, b in zip(starts, starts[1:] + [hi])]
    return _capped(text, [(a, b) for a, b in pieces if text[a:b].strip()], max_words, overlap)


CAPTION_WORDS = 40  # a paragraph right before a table, at most this long, is its caption
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _caption_start(text: str, lo: int, a: int) -> int:
    """Where the caption of a table starting at ``a`` begins (``a`` when it has none).

    A caption is the paragraph just before the table ("Comparison of Performance December 2019 –
    January 2021", "Board attendance is summarised in the table below."), with at most one short
    heading paragraph above it ("Appendix A"), when they are short: a statistics table's rows rarely
    name what they count or when, its caption does, so the caption travels with the rows."""
    bounds = [lo] + [m.end() for m in _PARAGRAPH_BREAK.finditer(text, lo, a)] + [a]
    paras = [(x, y) for x, y in zip(bounds, bounds[1:]) if text[x:y].strip()]
    start, words = a, 0
    for x, y in reversed(paras[-2:]):
        para = " ".join(text[x:y].split())
        w = len(para.split())
        if w > (CAPTION_WORDS if words == 0 else 12) or words + w > CAPTION_WORDS or "\t" in text[x:y]:
            break
        if not (_TITLE_LIKE.search(para) or (words == 0 and _NAMES_TABLE.search(para))):
            break
        start, words = x, words + w
    return start


# A title ends without a full stop ("Library Performance 2018-2019", "as follows:"); a sentence
# that is not one must name the table ("summarised in the table below"). A section's last
# paragraph before a contact-details table is neither, and stays prose.
_TITLE_LIKE = re.compile(r"[^.!?]\s*$")
_NAMES_TABLE = re.compile(r"\b(?:table|below|following|overleaf|shown|summari[sz]ed|appendix)\b", re.I)


def _region_spans(text: str, lo: int, hi: int, tables: tuple[Table, ...], max_words: int,
                  overlap: int) -> list[tuple[Span, Table | None, str]]:
    """Chunk spans of [lo, hi) in text order, each with the table it comes from (or None) and
    that table's caption (or "")."""
    trimmed = _trim(text, lo, hi)
    if trimmed is None:
        return []
    if n_words(text[trimmed[0]:trimmed[1]]) <= max_words:
        return [(trimmed, None, "")]
    out: list[tuple[Span, Table | None, str]] = []
    pos = lo
    for t in sorted(tables, key=lambda t: t.span):
        a, b = max(t.span[0], pos), min(t.span[1], hi)
        if a >= b:  # outside the region, or overlapping a table already taken
            continue
        c = _caption_start(text, pos, a)
        caption = " ".join(text[c:a].split())
        out += [(s, None, "") for s in _prose_spans(text, pos, c, max_words, overlap)]
        out += [(s, t, caption) for s in _table_spans(text, t, c, b, max_words, overlap)]
        pos = b
    out += [(s, None, "") for s in _prose_spans(text, pos, hi, max_words, overlap)]
    return out


def _header(item: Item, meeting: Meeting | None, doc: Document | None) -> str:
    where = f"{meeting.committee}, {long_date(meeting.date)}" if meeting else item.meeting_id
    if item.number:
        what = f"{'Minute' if item.kind == 'minute' else 'Item'} {item.number}: {item.title}"
    else:
        what = item.title
    head = f"{where}. {what}"
    # Minutes and the front sheet have generated titles ("Minutes of the meeting held on
    # ...", "Agenda: <committee>, <date>") that would only repeat the header.
    if (doc is not None and item.kind != "minute" and doc.doc_type != "agenda"
            and slugify(doc.title) != slugify(item.title)):
        head += f" — {doc.title}"
    return head


def _table_header(table: Table) -> str:
    return " | ".join(c for c in (" ".join(cell.split()) for cell in table.header) if c)


def chunk_source(ps: ParsedSource, max_words: int = 180, overlap_words: int = 20) -> list[Chunk]:
    """All chunks of a parsed source, in item order; ids and ordinals are deterministic."""
    if max_words < 1 or not 0 <= overlap_words < max_words:
        raise ValueError(f"need max_words >= 1 and 0 <= overlap_words < max_words, "
                         f"got {max_words}, {overlap_words}")
    meetings = {m.id: m for m in ps.meetings}
    docs = {d.id: d for d in ps.documents}
    chunks: list[Chunk] = []
    for item in ps.items:
        meeting = meetings.get(item.meeting_id)
        if item.kind == "minute":  # the body, within the minutes document
            doc_id = item.document_ids[0] if item.document_ids else ""
            doc = docs.get(doc_id)
            regions = [(0, doc_id, doc, item.path, item.span, doc.tables if doc else (),
                        item.page_start, item.page_end)]
        else:  # each document but the minutes, which are chunked through their minutes
            regions = [(k, d.id, d, d.path, d.span, d.tables, d.page_start, d.page_end)
                       for k, d in ((k, docs.get(i)) for k, i in enumerate(item.document_ids))
                       if d is not None and d.doc_type != "minutes"]
        for k, doc_id, doc, path, (lo, hi), tables, p_lo, p_hi in regions:
            src = ps.source_for(path)
            base = _header(item, meeting, doc)
            spans = _region_spans(src.text, lo, hi, tables, max_words, overlap_words)
            for n, (span, table, caption) in enumerate(spans):
                th = ". ".join(x for x in (caption.rstrip(" .:;"), _table_header(table)) if x) if table is not None else ""
                pages = page_span(src, span, p_lo, p_hi)
                chunks.append(Chunk(
                    id=f"{item.id}/{k}.{n}", item_id=item.id,
                    document_id=doc_id,
                    meeting_id=item.meeting_id, text=src.text[span[0]:span[1]], span=span,
                    path=path, page_start=pages[0], page_end=pages[1],
                    header=f"{base}. {th}" if th else base, ordinal=len(chunks),
                    ocr=any(p.ocr and p.start < span[1] and p.end > span[0] for p in src.pages),
                ))
    log.debug("%s: %d chunks from %d items", ps.path, len(chunks), len(ps.items))
    return chunks
