"""The chunker on the real corpus packs, and on hand-built pathological input."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

import pytest

from indexer.chunk.chunker import CAP_FACTOR, CAPTION_WORDS, chunk_source, n_words
from indexer.common.models import (
    Chunk, Document, Item, Meeting, ParsedSource, SourceText, Table, TableRow,
)
from indexer.structure.reader import parse_path

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
PACKS = sorted(p.name for p in CORPUS.glob("*.txt"))
MAX, OVERLAP = 180, 20
CAP = int(MAX * CAP_FACTOR)
WORK_PROGRAMME_HEADER = "Date | Title | Detail | Cabinet Member/ Lead Officer"


@lru_cache(maxsize=None)
def parsed(name: str) -> ParsedSource:
    return parse_path(CORPUS / name)


@lru_cache(maxsize=None)
def chunked(name: str) -> tuple[Chunk, ...]:
    return tuple(chunk_source(parsed(name), MAX, OVERLAP))


def pack_with(meeting_suffix: str) -> str:
    return next(n for n in PACKS if any(m.id.endswith(meeting_suffix) for m in parsed(n).meetings))


def uncovered(text: str, lo: int, hi: int, spans) -> str:
    """The non-blank characters of text[lo:hi] that no span covers (empty when covered)."""
    covered = bytearray(hi - lo)
    for a, b in spans:
        for i in range(max(a, lo), min(b, hi)):
            covered[i - lo] = 1
    return "".join(c for i, c in enumerate(text[lo:hi]) if not covered[i] and not c.isspace())


def check_basic(ps: ParsedSource, chunks, cap: int = CAP) -> None:
    for c in chunks:
        assert c.text == ps.source_for(c.path).text[c.span[0]:c.span[1]], c.id
        assert c.text.strip() and c.text.rstrip() == c.text, c.id
        if "|" not in c.header:  # prose is trimmed; a table piece may begin with a row's tab
            assert c.text.lstrip() == c.text, c.id
        assert n_words(c.text) <= cap, (c.id, n_words(c.text))
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)


# --- every pack --------------------------------------------------------------------------

@pytest.mark.parametrize("name", PACKS)
def test_chunks_are_verbatim_capped_and_unique(name):
    chunks = chunked(name)
    assert chunks
    check_basic(parsed(name), chunks)


@pytest.mark.parametrize("name", PACKS)
def test_documents_and_minutes_are_fully_covered(name):
    ps, chunks = parsed(name), chunked(name)
    for d in ps.documents:
        if d.doc_type == "minutes":
            continue
        spans = [c.span for c in chunks if c.document_id == d.id]
        text = ps.source_for(d.path).text
        assert not uncovered(text, *d.span, spans), d.id
    for it in ps.items:
        if it.kind == "minute":
            spans = [c.span for c in chunks if c.item_id == it.id]
            text = ps.source_for(it.path).text
            assert not uncovered(text, *it.span, spans), it.id


@pytest.mark.parametrize("name", PACKS)
def test_table_chunks_never_overlap_prose_chunks(name):
    ps, chunks = parsed(name), chunked(name)
    for d in ps.documents:
        mine = [c for c in chunks if c.document_id == d.id]
        if not d.tables or len(mine) < 2:  # a document that fits is one chunk, tables and all
            continue
        regions = [t.span for t in d.tables]
        text = ps.source_for(d.path).text
        for c in mine:
            # a table's first piece may open with its caption, a short paragraph right before it
            inside = [r for r in regions if c.span[1] <= r[1] and (r[0] <= c.span[0] or (
                c.span[1] > r[0] and n_words(text[c.span[0]:r[0]]) <= CAPTION_WORDS and "\t" not in text[c.span[0]:r[0]]))]
            touching = [r for r in regions if c.span[0] < r[1] and r[0] < c.span[1]]
            if inside:
                t = next(t for t in d.tables if t.span == inside[0])
                cells = " | ".join(" ".join(x.split()) for x in t.header if x.strip())
                assert c.header.endswith(cells), c.id
            else:
                assert not touching, f"prose chunk {c.id} overlaps a table"


@pytest.mark.parametrize("name", PACKS)
def test_chunking_is_deterministic(name):
    again = chunk_source(parse_path(CORPUS / name), MAX, OVERLAP)
    assert list(chunked(name)) == again


def test_minutes_documents_are_only_chunked_through_their_minutes():
    for name in PACKS:
        ps, chunks = parsed(name), chunked(name)
        minutes_docs = {d.id for d in ps.documents if d.doc_type == "minutes"}
        minute_items = {i.id for i in ps.items if i.kind == "minute"}
        for c in chunks:
            assert (c.document_id in minutes_docs) == (c.item_id in minute_items), c.id
        no_docs = [i.id for i in ps.items if i.kind == "agenda" and not i.document_ids]
        assert not [c for c in chunks if c.item_id in no_docs]


# --- particular items ---------------------------------------------------------------------

def test_short_minute_is_one_chunk():
    chunks = chunked(pack_with("2019-11-28"))
    mine = [c for c in chunks if c.item_id.endswith("2019-11-28/minute-23")]
    assert len(mine) == 1
    c = mine[0]
    assert c.text == "There were no disclosable pecuniary interests."
    assert c.id.endswith("2019-11-28/minute-23/0.0")
    assert c.header == ("Education and Children's Services Scrutiny Board (2), 28 November 2019. "
                        "Minute 23: Declarations of Interests")
    assert c.document_id.endswith("-minutes")


def test_long_minute_splits_into_several_chunks():
    chunks = chunked(pack_with("2019-11-28"))
    mine = [c for c in chunks if c.item_id.endswith("2019-11-28/minute-25")]
    assert len(mine) >= 3
    for n, c in enumerate(mine):
        assert c.meeting_id.endswith("2019-11-28")
        assert "Minute 25: Children's Services Improvement" in c.header
        assert c.id.endswith(f"minute-25/0.{n}")
        assert n_words(c.text) <= MAX
    assert [c.span[0] for c in mine] == sorted(c.span[0] for c in mine)


def test_work_programme_is_split_by_rows_with_the_column_header():
    name = pack_with("2020-01-09")
    ps, chunks = parsed(name), chunked(name)
    doc = next(d for d in ps.documents if d.doc_type == "work_programme"
               and d.meeting_id.endswith("2020-01-09"))
    table = doc.tables[0]
    row_starts = {r.span[0] for r in table.rows}
    mine = [c for c in chunks if c.document_id == doc.id
            and table.span[0] <= c.span[0] and c.span[1] <= table.span[1]]
    assert len(mine) >= 3
    for k, c in enumerate(mine):
        assert c.header.endswith(f"Item 7: Work Programme. {WORK_PROGRAMME_HEADER}")
        assert k == 0 or c.span[0] in row_starts  # pieces begin at a row
        assert n_words(c.text) <= MAX
    assert mine[0].text.startswith("Date\tTitle\tDetail")
    assert mine[-1].span[1] == table.rows[-1].span[1]


def test_headers_name_the_document_when_it_is_not_the_item():
    chunks = chunked(pack_with("2020-01-09"))
    lib = [c for c in chunks if c.item_id.endswith("2020-01-09/item-4")]
    prefix = ("Education and Children's Services Scrutiny Board (2), 9 January 2020. "
              "Item 4: Libraries Update")
    assert {c.header for c in lib if "/item-4/0." in c.id and "|" not in c.header} == {prefix}
    assert any(c.header == f"{prefix} — Appendix A" for c in lib if "/item-4/1." in c.id)
    front = [c for c in chunks if c.item_id.endswith("2020-01-09/agenda")]
    assert front and all(c.header.endswith("9 January 2020. Agenda") for c in front)


def test_page_bounds_stay_within_the_item_pages():
    chunks = chunked(pack_with("2020-01-09"))
    lib = [c for c in chunks if c.item_id.endswith("2020-01-09/item-4")]
    assert lib
    for c in lib:
        assert c.page_start is not None and c.page_end is not None
        assert 9 <= c.page_start <= c.page_end <= 14, c.id


# --- pathological input -------------------------------------------------------------------

def hand_built(text: str, tables: tuple[Table, ...] = ()) -> ParsedSource:
    m = Meeting("board/2024-01-01", "Board", date(2024, 1, 1))
    src = SourceText("x.txt", text, "text", "0")
    doc = Document("board/2024-01-01/x/0-report", m.id, m.id, "report", "A Report", "x.txt",
                   (0, len(text)), tables=tables)
    item = Item(f"{m.id}/item-1", m.id, "agenda", "1", "A Report", text, (0, len(text)), "x.txt",
                document_ids=(doc.id,))
    return ParsedSource("x.txt", "0", (src,), (m,), (doc,), (item,))


def words(n: int, sep: str = " ") -> str:
    return sep.join(f"w{i}" for i in range(n))


@pytest.mark.parametrize("text", [
    words(2000),                                   # one line, no sentence or line breaks
    words(2000, "\t"),                             # tab-separated, no spaces at all
    words(2000, "\n"),                             # one word a line
    "Intro.\n\n" + words(700) + "\n\n- " + words(400) + "\n- short\n\nEnd.",
    "x" * 20000,                                   # one enormous word
], ids=["line", "tabs", "lines", "mixed", "one-word"])
def test_pathological_prose_respects_the_cap(text):
    ps = hand_built(text)
    chunks = chunk_source(ps, MAX, OVERLAP)
    check_basic(ps, chunks)
    assert not uncovered(text, 0, len(text), [c.span for c in chunks])


def test_a_huge_table_row_is_cut_by_words():
    head = "Name\tDetail\n"
    rows_text = ["a\t" + words(500), "b\tshort row", "c\t" + words(30)]
    text = "Some prose first.\n\n" + head + "\n".join(rows_text) + "\n\nAfter."
    start = text.index(head)
    rows, pos = [], start + len(head)
    for r in rows_text:
        rows.append(TableRow(tuple(r.split("\t")), (pos, pos + len(r))))
        pos += len(r) + 1
    table = Table(("Name", "Detail"), tuple(rows), (start, rows[-1].span[1]))
    ps = hand_built(text, (table,))
    chunks = chunk_source(ps, MAX, OVERLAP)
    check_basic(ps, chunks)
    assert not uncovered(text, 0, len(text), [c.span for c in chunks])
    in_table = [c for c in chunks if start <= c.span[0] and c.span[1] <= table.span[1]]
    assert len(in_table) >= 3 and all(c.header.endswith(". Name | Detail") for c in in_table)
    assert chunks[0].text == "Some prose first." and chunks[-1].text == "After."


def test_text_that_fits_is_one_chunk_and_blank_text_none():
    ps = hand_built("Short.\n\nName\tValue\nA\t1\n")
    assert [c.text for c in chunk_source(ps)] == ["Short.\n\nName\tValue\nA\t1"]
    assert chunk_source(hand_built("  \n\n ")) == []


def test_bad_settings_are_refused():
    with pytest.raises(ValueError):
        chunk_source(hand_built("x"), max_words=20, overlap_words=20)



def _with_table(before: str) -> tuple[ParsedSource, Table, str]:
    head = "Hub\tVisitors\tStaff\n"
    rows_text = [f"Hub {i}\t{i * 1000}\t{i}" for i in range(1, 80)]
    text = "Intro.\n\n" + words(150) + "\n\n" + before + head + "\n".join(rows_text) + "\n\nAfter."
    start = text.index(head)
    rows, pos = [], start + len(head)
    for r in rows_text:
        rows.append(TableRow(tuple(r.split("\t")), (pos, pos + len(r))))
        pos += len(r) + 1
    table = Table(("Hub", "Visitors", "Staff"), tuple(rows), (start, rows[-1].span[1]))
    return hand_built(text, (table,)), table, text


@pytest.mark.parametrize("caption", [
    "Comparison of Performance December 2019 – January 2021",          # a title
    "Board attendance is summarised in the table below.",             # a sentence naming the table
    "Appendix A\n\nLibrary Performance 2018-2019\n\nFigures in that table are coloured green.",
])
def test_a_table_caption_opens_its_first_piece_and_heads_every_piece(caption):
    ps, table, text = _with_table(caption + "\n\n")
    chunks = chunk_source(ps, MAX, OVERLAP)
    check_basic(ps, chunks)
    assert not uncovered(text, 0, len(text), [c.span for c in chunks])
    pieces = [c for c in chunks if c.span[1] > table.span[0] and c.span[0] < table.span[1]]
    assert len(pieces) >= 2
    kept = caption.split("\n\n")[-2:]  # at most a short heading and the caption itself
    assert pieces[0].text.startswith(kept[0]) and pieces[0].span[0] < table.span[0]
    flat = " ".join(" ".join(kept).split()).rstrip(".")
    assert all(c.header.endswith(f". {flat}. Hub | Visitors | Staff") for c in pieces)
    assert not any(c.span[0] < table.span[0] < c.span[1] for c in chunks if c not in pieces)


def test_a_sentence_that_is_not_a_caption_stays_prose():
    ps, table, text = _with_table("- 10.1 Libraries will be considered as part of place based working.\n\n")
    chunks = chunk_source(ps, MAX, OVERLAP)
    first = next(c for c in chunks if c.span[1] > table.span[0])
    assert first.span[0] == table.span[0] and first.header.endswith(". Hub | Visitors | Staff")
    assert "place based working" not in first.header
