"""Read a PDF into text as a person reads it: ``read_pdf(raw, shown) -> PdfText``.

The library was chosen by measurement (benchmarks/pdf_extraction.py, results in
benchmarks/results/pdf_extraction.md): pdfium (pypdfium2) gives each run of text on a line with
its box, fast; pdfplumber, much slower, is asked only for the tables of pages whose drawings
look ruled; tesseract reads pages that are scanned images. Page by page:

1. the text layer's runs, as :class:`~indexer.parse.layout.Segment` s;
2. a page with (almost) no text and a picture covering a quarter of it or more is OCRed;
3. a ruled page's tables replace the runs inside them with tab-separated rows;
4. then, over the document: running headers and footers out (kept on each ``Page`` as
   ``furniture``), reading order (two columns read one after the other), lines, and words
   hyphenated at a line end joined (:mod:`indexer.parse.hyphens`).

Pages are joined with a blank line, as before; each ``Page`` keeps its PDF position, its printed
number (read from its page-number furniture) and whether OCR read it.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.common.errors import ParseError
from indexer.common.models import Page
from indexer.parse import layout
from indexer.parse.hyphens import join_hyphens, vocabulary
from indexer.parse.layout import PageRows, Segment
from indexer.parse.ocr import INSTALL_HINT, OcrUnavailable, ocr_page, tesseract_command
from indexer.parse.tables import TableFinder, inside, looks_ruled

log = logging.getLogger(__name__)

_OCR_MAX_CHARS = 20  # a page with fewer characters of text than this may be a scan
_OCR_MIN_PICTURE = 0.25  # ... when a picture covers at least this share of it
_CHARS = str.maketrans({"\ufffe": "-", "\x02": "-", "\xad": "-", "\r": " ", "\n": " ", "\ufb01": "fi",
                        "\ufb02": "fl", "\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl"})


@dataclass(frozen=True)
class PdfText:
    text: str
    pages: tuple[Page, ...]
    warnings: tuple[str, ...] = ()


@dataclass
class _PageRead:
    rows: PageRows
    ocr: bool = False
    wants_ocr: bool = False


def read_pdf(raw: bytes, shown: str) -> PdfText:
    """The text and pages of a PDF's bytes; ``shown`` names the file in errors."""
    if not raw:
        raise ParseError(shown, "empty file")
    if b"%PDF-" not in raw[:1024]:
        raise ParseError(shown, "corrupt or unreadable PDF (no %PDF header)")
    doc = _open(raw, shown)
    finder = TableFinder(raw)
    try:
        reads: list[_PageRead] = []
        failures: list[str] = []
        for i in range(len(doc)):
            try:
                reads.append(_read_page(doc[i], i, finder))
            except Exception as e:  # pdfium and pdfplumber raise many kinds on damaged pages
                failures.append(f"page {i + 1}: {_cause(e)}")
                log.warning("%s: page %d unreadable, kept empty (%s)", shown, i + 1, _cause(e))
                reads.append(_PageRead(PageRows(0.0, 0.0, [])))
        if failures and len(failures) == len(reads):
            raise ParseError(shown, f"corrupt or unreadable PDF ({failures[0]})")
        warnings = _ocr(doc, reads, shown)
    finally:
        finder.close()
        doc.close()
    return _assemble(reads, shown, warnings)


def _open(raw: bytes, shown: str) -> pdfium.PdfDocument:
    try:
        doc = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise ParseError(shown, "password-protected PDF") from None
        raise ParseError(shown, f"corrupt or unreadable PDF ({_cause(e)})") from None
    except Exception as e:
        raise ParseError(shown, f"corrupt or unreadable PDF ({_cause(e)})") from None
    if len(doc) == 0:
        doc.close()
        raise ParseError(shown, "corrupt or unreadable PDF (no pages)")
    return doc


def text_segments(page, tp=None) -> list[Segment]:  # noqa: ANN001 - pypdfium2 PdfPage, PdfTextPage
    """The runs of text pdfium finds on a page (one per line piece), in points from the top-left
    of the page as its text reads: a landscape table set sideways on a portrait page is turned
    so that its lines run left to right (see :func:`_turn`)."""
    width, height = page.get_width(), page.get_height()
    own = tp is None
    tp = page.get_textpage() if own else tp
    try:
        out = []
        for i in range(tp.count_rects()):
            left, bottom, right, top = tp.get_rect(i)
            text = tp.get_text_bounded(left, bottom, right, top).translate(_CHARS)
            if text.strip():
                out.append(Segment(left, height - top, right, height - bottom, text))
        return _turn(out, quarter_turns(tp), width, height)
    finally:
        if own:
            tp.close()


def quarter_turns(tp) -> int:  # noqa: ANN001 - a pypdfium2 PdfTextPage
    """How the page's text is turned, in quarter turns as pdfium measures it (most characters)."""
    n = tp.count_chars()
    if n == 0:
        return 0
    turns = Counter(round(pdfium_c.FPDFText_GetCharAngle(tp.raw, i) / (math.pi / 2)) % 4
                    for i in range(0, n, max(1, n // 60)))
    return turns.most_common(1)[0][0]


def _turn(segs: list[Segment], turns: int, width: float, height: float) -> list[Segment]:
    """Segments in the frame where the text reads left to right, top to bottom (a quarter turn
    swaps the page's width and height)."""
    if turns == 3:  # reads upwards: the page's left edge is the top of the text
        return [Segment(height - s.bottom, s.x0, height - s.top, s.x1, s.text) for s in segs]
    if turns == 1:  # reads downwards: the page's right edge is the top
        return [Segment(s.top, width - s.x1, s.bottom, width - s.x0, s.text) for s in segs]
    if turns == 2:  # upside down
        return [Segment(width - s.x1, height - s.bottom, width - s.x0, height - s.top, s.text) for s in segs]
    return segs


def _picture_share(page) -> float:  # noqa: ANN001
    """How much of the page its largest picture covers (0-1)."""
    area = max(page.get_width() * page.get_height(), 1.0)
    best = 0.0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        left, bottom, right, top = obj.get_bounds()
        best = max(best, (right - left) * (top - bottom) / area)
    return min(best, 1.0)


def _read_page(page, index: int, finder: TableFinder) -> _PageRead:  # noqa: ANN001
    tp = page.get_textpage()
    try:
        segs = text_segments(page, tp)
        turned = quarter_turns(tp) % 2 == 1
    finally:
        tp.close()
    chars = sum(len(s.text.strip()) for s in segs)
    wants_ocr = chars < _OCR_MAX_CHARS and _picture_share(page) >= _OCR_MIN_PICTURE
    table_rows: list[layout.Row] = []
    if segs and looks_ruled(page):
        for bbox, rows in finder.rows(index):
            segs = [s for s in segs if not inside(s, bbox)]
            table_rows += rows
    rows = sorted(layout.rows(segs) + table_rows, key=lambda r: r.top)
    width, height = page.get_width(), page.get_height()
    if turned:  # text set sideways: the layout's frame is landscape
        width, height = height, width
    return _PageRead(PageRows(width, height, rows), wants_ocr=wants_ocr)


def _ocr(doc: pdfium.PdfDocument, reads: list[_PageRead], shown: str) -> tuple[str, ...]:
    """OCR the pages that want it; a warning naming the file and pages when it cannot be done."""
    failed: list[int] = []
    reason = ""
    for i, read in enumerate(reads):
        if not read.wants_ocr:
            continue
        try:
            if tesseract_command() is None:
                raise OcrUnavailable(f"tesseract is not installed; {INSTALL_HINT}")
            segs = ocr_page(doc[i])
        except OcrUnavailable as e:
            failed.append(i + 1)
            reason = str(e)
            continue
        # keep the few runs of text the page had (a stamp, "Page 4") beside what OCR read
        read.rows.rows = sorted(layout.rows(segs) + read.rows.rows, key=lambda r: r.top)
        read.ocr = True
    if not failed:
        return ()
    msg = f"{shown}: scanned page(s) {', '.join(map(str, failed))} not read: {reason}"
    log.warning("%s", msg)
    return (msg,)


def _assemble(reads: list[_PageRead], shown: str, warnings: tuple[str, ...]) -> PdfText:
    pages_rows = [r.rows for r in reads]
    pitch = layout.line_pitch(pages_rows)
    layout.furniture(pages_rows)
    page_lines = [layout.page_lines(layout.reading_order(p), pitch) for p in pages_rows]
    vocab = vocabulary([ln for lines in page_lines for ln in lines])
    texts = ["\n".join(join_hyphens(lines, vocab)).strip("\n") for lines in page_lines]
    if not any(t.strip() for t in texts):
        raise ParseError(shown, _why_empty(reads, warnings))
    pages: list[Page] = []
    offset = 0
    for number, (text, read) in enumerate(zip(texts, reads), start=1):
        furn = tuple(r.text() for r in read.rows.furniture)
        pages.append(Page(offset, offset + len(text), pdf_page=number, printed_page=_printed(furn),
                          ocr=read.ocr, furniture=furn))
        offset += len(text) + 2
    return PdfText("\n\n".join(texts), tuple(pages), warnings)


def _why_empty(reads: list[_PageRead], warnings: tuple[str, ...]) -> str:
    if warnings:
        return "no text layer; " + warnings[0].split(": ", 1)[1]
    if any(r.ocr for r in reads):
        return "no text layer, and OCR found no text in the page images"
    return "no text layer, and no page image to OCR"


def _printed(furniture: tuple[str, ...]) -> int | None:
    """The printed page number among a page's furniture: a "Page N" line first, then a bare number."""
    numbers = [layout.printed_number(t) for t in furniture]
    worded = [n for t, n in zip(furniture, numbers) if n is not None and t.lower().startswith("page")]
    if worded:
        return worded[-1]
    marked = [layout.page_marker_number(t) for t in furniture]
    marked = [n for n in marked if n is not None]
    if marked:
        return marked[-1]
    bare = [n for n in numbers if n is not None]
    return bare[-1] if bare else None


def _cause(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    msg = msg[:80] + ("..." if len(msg) > 80 else "")
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__
