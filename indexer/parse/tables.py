"""Ruled tables on a PDF page, found by pdfplumber, as rows of tab-separated cells.

pdfplumber (pdfminer underneath) is slow — tens of milliseconds a page — so it runs only on a
page pdfium says is ruled: at least three long horizontal and three long vertical straight
strokes among its drawings (:func:`looks_ruled`). Each table of two rows or more and two
columns or more becomes one :class:`~indexer.parse.layout.Row` per table row, placed where the
row is printed, with its cells joined by tabs — the form the text packs use and the structure
reader reads as a table (its first row holds the column names). A cell's own line breaks
become spaces, and a word hyphenated inside a cell is joined as in the body text.
"""

from __future__ import annotations

import ctypes
import io
from collections import Counter

import pypdfium2.raw as pdfium_c

from indexer.parse.hyphens import join_hyphens
from indexer.parse.layout import Row, Segment

_MIN_STROKE = 15.0  # points: shorter straight strokes are glyph-like (ticks, bullets, logos)
_MAX_SEGMENTS = 4000  # per page: enough for any table, cheap to count


def looks_ruled(page) -> bool:  # noqa: ANN001 - a pypdfium2 PdfPage
    """True when the page's drawings hold table rules (three long strokes each way)."""
    across = down = seen = 0
    x, y = ctypes.c_float(), ctypes.c_float()
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_PATH,), max_depth=3):
        n = pdfium_c.FPDFPath_CountSegments(obj.raw)
        prev = None
        for i in range(min(n, _MAX_SEGMENTS - seen)):
            seg = pdfium_c.FPDFPath_GetPathSegment(obj.raw, i)
            if not pdfium_c.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y)):
                continue
            kind = pdfium_c.FPDFPathSegment_GetType(seg)
            if kind == pdfium_c.FPDF_SEGMENT_LINETO and prev is not None:
                dx, dy = abs(x.value - prev[0]), abs(y.value - prev[1])
                if dy < 0.5 and dx >= _MIN_STROKE:
                    across += 1
                elif dx < 0.5 and dy >= _MIN_STROKE:
                    down += 1
                if across >= 3 and down >= 3:
                    return True
            prev = (x.value, y.value)
        seen += n
        if seen >= _MAX_SEGMENTS:
            break
    return False


class TableFinder:
    """pdfplumber over one PDF, opened on first use and only then."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        self._pdf = None

    def rows(self, index: int) -> list[tuple[tuple[float, float, float, float], list[Row]]]:
        """(bbox, rows) of each table on page ``index`` (0-based); bbox is x0, top, x1, bottom."""
        if self._pdf is None:
            import pdfplumber  # pdfminer is slow to import: only for a PDF with ruled pages

            self._pdf = pdfplumber.open(io.BytesIO(self._raw))
        out = []
        page = self._pdf.pages[index]
        for table in page.find_tables():
            cells = table.extract()
            if len(cells) < 2 or max(len(r) for r in cells) < 2:
                continue
            rows = []
            for row_cells, row in zip(cells, table.rows):
                texts = [_cell(c) for c in row_cells]
                if not any(texts):
                    continue
                x0, top, x1, bottom = row.bbox
                rows.append(Row([Segment(x0, top, x1, bottom, " ".join(texts))], table="\t".join(texts)))
            if len(rows) >= 2:
                out.append((tuple(table.bbox), rows))
        page.flush_cache()
        return out

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()


def _cell(text: str | None) -> str:
    if not text:
        return ""
    lines = [ln.strip() for ln in text.replace("\t", " ").split("\n") if ln.strip()]
    return " ".join(join_hyphens(lines, Counter()))


def inside(seg: Segment, bbox: tuple[float, float, float, float]) -> bool:
    """The segment's centre lies in the table's box."""
    cx, cy = (seg.x0 + seg.x1) / 2, (seg.top + seg.bottom) / 2
    x0, top, x1, bottom = bbox
    return x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1
