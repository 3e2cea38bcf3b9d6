"""Page numbers of a span: the printed "Page N" and the PDF page index, for text and PDF sources."""

from __future__ import annotations

from functools import lru_cache

from indexer.common.models import SourceText
from indexer.parse.sources import page_markers


def pdf_pages(src: SourceText, span) -> tuple[int | None, int | None, int | None, int | None]:
    """(printed start, printed end, pdf start, pdf end) for a span of a PDF source."""
    pages = [p for p in src.pages if p.start < span[1] and p.end > span[0]] or [
        p for p in src.pages if p.start <= span[0] <= p.end][:1]
    if not pages:
        return None, None, None, None
    printed = [p.printed_page for p in pages if p.printed_page is not None]
    return (min(printed) if printed else None, max(printed) if printed else None,
            pages[0].pdf_page, pages[-1].pdf_page)


_page_markers = lru_cache(maxsize=8)(page_markers)  # one scan per text, not one per item


def page_span(src: SourceText, span, lo: int | None, hi: int | None) -> tuple[int | None, int | None]:
    """Narrow a printed page range with "Page N" lines found in a text source."""
    if src.pages:
        p = pdf_pages(src, span)
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


def page_of(src: SourceText, offset: int) -> int | None:
    """The printed page number of the PDF page holding ``offset`` (None when unknown)."""
    for p in src.pages:
        if p.start <= offset <= p.end:
            return p.printed_page
    return None
