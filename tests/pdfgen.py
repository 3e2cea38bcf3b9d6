"""Generate PDF fixtures at test time with reportlab, so no binary fixtures are committed.

Each page is drawn top to bottom in the order a reader would read it: the running header
first, then the body line by line, then the "Page N" footer. pypdf's plain extraction
follows content-stream order, so the extracted text keeps that order.
"""

from __future__ import annotations

import textwrap
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
    """Pages that carry only drawings (a grey "scan" with ruled lines), no text operators."""
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
