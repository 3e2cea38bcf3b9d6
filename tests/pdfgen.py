"""Generate PDF fixtures at test time with reportlab, so no binary fixtures are committed.

Each page is drawn top to bottom in the order a reader would read it: the running header
first, then the body line by line, then the "Page N" footer. pypdf's plain extraction
follows content-stream order, so the extracted text keeps that order.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.pdfgen import canvas

WIDTH, HEIGHT = A4
MARGIN = 56
FONT, SIZE, LEADING = "Helvetica", 10, 13
WRAP = 95  # characters per line at 10pt Helvetica inside the margins


def _draw_page(c: canvas.Canvas, text: str, header: str | None, footer: str | None) -> None:
    if header:
        c.setFont(FONT, 9)
        c.drawString(MARGIN, HEIGHT - 36, header)
    c.setFont(FONT, SIZE)
    y = HEIGHT - MARGIN - 10
    for para in text.split("\n"):
        for line in textwrap.wrap(para, WRAP) or [""]:
            if y < MARGIN + 20:
                raise ValueError("page text does not fit on one page; split it")
            c.drawString(MARGIN, y, line)
            y -= LEADING
    if footer:
        c.setFont(FONT, 9)
        c.drawCentredString(WIDTH / 2, 30, footer)


def make_pdf(
    path: str | Path,
    pages: list[str],
    footer: str | None = "Page {n}",
    header: str | None = None,
    first_page_number: int = 1,
    encrypt: StandardEncryption | str | None = None,
) -> Path:
    """Write one PDF page per string; ``footer`` is formatted with the printed page number."""
    path = Path(path)
    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt, invariant=1)
    for i, text in enumerate(pages):
        n = first_page_number + i
        _draw_page(c, text, header, footer.format(n=n) if footer else None)
        c.showPage()
    c.save()
    return path


def make_encrypted_pdf(path: str | Path, text: str, password: str) -> Path:
    """A one-page PDF that needs ``password`` to open (RC4 128-bit, readable without extras)."""
    enc = StandardEncryption(password, ownerPassword=password + "-owner", strength=128)
    return make_pdf(path, [text], encrypt=enc)


def make_scanned_pdf(path: str | Path, n_pages: int = 1) -> Path:
    """Pages that carry only drawings (a grey "scan" with ruled lines): no text operators and no
    image, so nothing to OCR either. :func:`rasterise` makes a real scan of a text PDF."""
    path = Path(path)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(n_pages):
        c.setFillGray(0.9)
        c.rect(MARGIN, MARGIN, WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN, fill=1, stroke=0)
        c.setStrokeGray(0.3)
        for y in range(int(HEIGHT) - 100, 100, -14):
            c.line(MARGIN + 10, y, WIDTH - MARGIN - 10, y)
        c.showPage()
    c.save()
    return path


def make_large_pdf(path: str | Path, n_pages: int = 500) -> Path:
    """A long pack: numbered minutes on every page, a running header and "Page N" footers."""
    body = (
        "{n}. Item {n} was considered by the Board. The Board noted the report on school "
        "places, pupil outcomes and the budget for the coming year, and asked officers to "
        "return with a further update on the matters raised.\nRESOLVED that the report be noted."
    )
    pages = ["\n".join(body.format(n=n * 3 + k) for k in range(3)) for n in range(n_pages)]
    return make_pdf(path, pages, header="Scrutiny Board (2) - Document Pack")


def break_pages(path: str | Path, pdf_pages: list[int]) -> Path:
    """Rewrite ``path`` so the given 1-based pages hold a content stream pypdf cannot parse."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject

    path = Path(path)
    writer = PdfWriter(clone_from=str(path))
    for number in pdf_pages:
        broken = DecodedStreamObject()
        broken.set_data(b"BT /F1 12 Tf 72 700 Td (unterminated Tj ET ] ] >> <<")
        writer.pages[number - 1].replace_contents(broken)
    writer.write(str(path))
    return path


# ------------------------------------------------------------------ layouts with known text

@dataclass
class Layout:
    """How :func:`make_layout_pdf` sets a document: the things a real report does to its text."""

    columns: int = 1
    header: str | None = None  # formatted with {n} (printed page) and {m} (pages)
    header_right: str | None = None  # a banner at the top right, e.g. "Appendix 2" or "OFFICIAL"
    footer: str | None = "Page {n} of {m}"
    hyphenate: bool = False  # break long words at line ends with a hyphen
    stream: str = "reading"  # content-stream order: "reading", or "rows" (across columns, furniture last)


@dataclass
class Truth:
    """What a person reads on each page of a generated PDF."""

    body: list[list[str]] = field(default_factory=list)  # per page: the body's words, in reading order
    furniture: list[list[str]] = field(default_factory=list)  # per page: header/footer lines drawn
    tables: list[list[tuple[str, ...]]] = field(default_factory=list)  # per page: table rows (header first)
    soft: list[list[str]] = field(default_factory=list)  # per page: words broken by a soft hyphen
    hard: list[list[str]] = field(default_factory=list)  # per page: compounds broken at their own hyphen


def _wrap(words: list[str], width: float, hyphenate: bool, font: str = FONT, size: float = SIZE):
    """Greedy line filling by real glyph widths. Yields (line text, the words that begin on the
    line, a word broken by a soft hyphen, a compound broken at its own hyphen)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    line: list[str] = []
    owned: list[str] = []
    words = list(words)
    i = 0
    carried = False  # words[i] is the tail of a word begun on the line before
    while i < len(words):
        w = words[i]
        if stringWidth(" ".join(line + [w]), font, size) <= width or not line:
            line.append(w)
            if not carried:
                owned.append(w)
            carried = False
            i += 1
            continue
        soft = hard = None
        if "-" in w.strip(".,;:()") and w.index("-") > 1 and not carried:  # break at its own hyphen
            head, tail = w.split("-", 1)
            if stringWidth(" ".join(line + [head + "-"]), font, size) <= width:
                line.append(head + "-")
                owned.append(w)
                words[i], carried, hard = tail, True, w
        elif hyphenate and w.isalpha() and w.islower() and len(w) >= 8 and not carried:
            for cut in range(len(w) - 3, 2, -1):
                if stringWidth(" ".join(line + [w[:cut] + "-"]), font, size) <= width:
                    line.append(w[:cut] + "-")
                    owned.append(w)
                    words[i], carried, soft = w[cut:], True, w
                    break
        yield " ".join(line), owned, soft, hard
        line, owned = [], []
    if line:
        yield " ".join(line), owned, None, None


def make_layout_pdf(path: str | Path, blocks: list, layout: Layout, first_page_number: int = 1) -> Truth:
    """Set ``blocks`` (paragraph strings, or tables as lists of rows, the first row the column
    names) on A4 pages in ``layout``; return what each page holds, for scoring a reader.

    Tables are drawn with ruled cells (reportlab's platypus Table with a grid), full width, in
    a one-column layout only."""
    from xml.sax.saxutils import escape

    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    path = Path(path)
    gutter = 24
    col_w = (WIDTH - 2 * MARGIN - gutter * (layout.columns - 1)) / layout.columns
    top_y, bottom_y = HEIGHT - MARGIN - 10, MARGIN + 24
    pages: list[list[tuple]] = [[]]  # draw ops per page: ("text", x, y, s) or ("table", x, y, Table)
    truth = Truth(body=[[]], tables=[[]], soft=[[]], hard=[[]])
    col, y = 0, top_y

    def new_column() -> None:
        nonlocal col, y
        col, y = col + 1, top_y
        if col >= layout.columns:
            col = 0
            pages.append([])
            for t in (truth.body, truth.tables, truth.soft, truth.hard):
                t.append([])

    for block in blocks:
        if isinstance(block, str):
            for line, owned, soft, hard in _wrap(block.split(), col_w, layout.hyphenate):
                if y < bottom_y:
                    new_column()
                pages[-1].append(("text", MARGIN + col * (col_w + gutter), y, line))
                truth.body[-1].extend(owned)
                if soft:
                    truth.soft[-1].append(soft)
                if hard:
                    truth.hard[-1].append(hard)
                y -= LEADING
            y -= LEADING  # a blank line between paragraphs
        else:
            if layout.columns != 1:
                raise ValueError("tables are set in one-column layouts only")
            rows = [tuple(r) for r in block]
            cell = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=9.5)
            table = Table([[Paragraph(escape(c), cell) for c in r] for r in rows],
                          colWidths=[(WIDTH - 2 * MARGIN) / len(rows[0])] * len(rows[0]))
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"),
                                       ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            _, h = table.wrap(WIDTH - 2 * MARGIN, HEIGHT)
            if y - h < bottom_y:
                new_column()
            pages[-1].append(("table", MARGIN, y - h + LEADING, table))
            truth.tables[-1].append(rows)
            truth.body[-1].extend(w for r in rows for c in r for w in c.split())
            y -= h + LEADING
    if not pages[-1]:
        pages.pop()
        for t in (truth.body, truth.tables, truth.soft, truth.hard):
            t.pop()
    m = len(pages) + first_page_number - 1
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for k, ops in enumerate(pages):
        n = first_page_number + k
        furn = []
        if layout.header:
            furn.append(("text", MARGIN, HEIGHT - 36, layout.header.format(n=n, m=m), 9))
        if layout.header_right:
            furn.append(("right", WIDTH - MARGIN, HEIGHT - 36, layout.header_right.format(n=n, m=m), 9))
        if layout.footer:
            furn.append(("centre", WIDTH / 2, 30, layout.footer.format(n=n, m=m), 9))
        truth.furniture.append([f[3] for f in furn])
        body = [op for op in ops]
        if layout.stream == "rows":  # across the columns, row by row; furniture drawn last
            body.sort(key=lambda op: (-op[2], op[1]))
            seq = body + furn
        else:
            seq = furn[:1] + body + furn[1:]
        for op in seq:
            kind, x, yy, obj = op[:4]
            if kind == "table":
                obj.drawOn(c, x, yy)
                continue
            c.setFont(FONT, op[4] if len(op) > 4 else SIZE)
            if kind == "right":
                c.drawRightString(x, yy, obj)
            elif kind == "centre":
                c.drawCentredString(x, yy, obj)
            else:
                c.drawString(x, yy, obj)
        c.showPage()
    c.save()
    return truth


def rasterise(src: str | Path, out: str | Path, pages: list[int] | None = None, dpi: int = 200) -> Path:
    """An image-only PDF of ``src``'s pages (1-based ``pages``, default all): each page rendered
    by poppler's pdftoppm to a greyscale PNG and wrapped by img2pdf, as a scanner would leave it."""
    import subprocess
    import tempfile

    import img2pdf
    from pypdf import PdfReader

    src, out = Path(src), Path(out)
    numbers = pages or list(range(1, len(PdfReader(src).pages) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        images = []
        for n in numbers:
            stem = Path(tmp) / f"p{n:04d}"
            subprocess.run(["pdftoppm", "-f", str(n), "-l", str(n), "-r", str(dpi), "-gray", "-png",
                            "-singlefile", str(src), str(stem)], check=True)
            images.append(str(stem.with_suffix(".png")))
        out.write_bytes(img2pdf.convert(images))
    return out
