"""Scanned pages: real pages of a text PDF rasterised by pdftoppm into an image-only PDF are read
back by tesseract, found by a search, and cited as OCR text; without tesseract the file's other
pages are still read and the warning names the file and the pages.

OCR takes about three seconds a page here, so the scans are kept to three pages in all.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from indexer.common.errors import ParseError
from indexer.embed.hashing import HashEmbedder
from indexer.parse.sources import load_source
from indexer.retrieve.search import search
from indexer.store.index import Index, update_index
from indexer.structure.reader import parse_path
from tests.pdfgen import Layout, make_layout_pdf, rasterise
from tests.parse.test_pdf_layout import paragraphs

HEADER = "Scrutiny Board (2) - 9 January 2020"


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def recovered(truth: str, got: str) -> float:
    a, b = Counter(words(truth)), Counter(words(got))
    return sum((a & b).values()) / sum(a.values())


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """(text-layer PDF, its scan) of a two-page report from corpus text, in a dated meeting folder."""
    assert shutil.which("tesseract") and shutil.which("pdftoppm"), "run `make ocr` (Debian's tesseract, poppler)"
    root = tmp_path_factory.mktemp("ocr")
    text_pdf = root / "text.pdf"
    make_layout_pdf(text_pdf, paragraphs("000_650dc6dc71139f49.txt", skip=40, n=14),
                    Layout(header=HEADER, footer="Page {n} of {m}"))
    assert len(PdfReader(text_pdf).pages) == 2
    folder = root / "corpus" / "Scrutiny Board 2" / "2020-01-09"
    folder.mkdir(parents=True)
    scan = rasterise(text_pdf, folder / "Libraries Update.pdf")
    return text_pdf, scan, load_source(scan)


def test_scanned_pages_come_back_as_text(scanned) -> None:
    text_pdf, scan, src = scanned
    layer = load_source(text_pdf)
    assert not any(p.ocr for p in layer.pages)
    assert [p.ocr for p in src.pages] == [True, True]
    assert [(p.pdf_page, p.printed_page) for p in src.pages] == [(1, 1), (2, 2)]
    for a, b in zip(layer.pages, src.pages):
        assert recovered(layer.text[a.start:a.end], src.text[b.start:b.end]) >= 0.9
    # the OCRed running header and footers are furniture too, kept for dating
    assert HEADER not in src.text and "Page 1 of 2" not in src.text
    assert [p.furniture for p in src.pages] == [(HEADER, "Page 1 of 2"), (HEADER, "Page 2 of 2")]


def test_an_ocr_passage_is_found_and_cited_as_ocr_text(scanned, tmp_path) -> None:
    _, scan, src = scanned
    root = scan.parents[2]
    update_index(tmp_path / "idx", [(scan.parent, root)], HashEmbedder())
    index = Index.open(tmp_path / "idx", embedder=HashEmbedder())
    sentence = paragraphs("000_650dc6dc71139f49.txt", skip=41, n=1)[0]
    query = " ".join(sentence.split()[:12])
    results = search(index, query, k=3)
    assert results and results[0].path.endswith("Libraries Update.pdf")
    top = results[0].to_dict()
    assert top["source"]["ocr"] is True
    assert top["citation"]["text"].endswith("(OCR text)")
    assert top["meeting_date"] == "2020-01-09"
    assert recovered(query, top["text"]) == 1.0


def _mixed(tmp_path: Path, scanned) -> Path:
    """Page 1 with its text layer, page 2 scanned."""
    text_pdf, scan, _ = scanned
    w = PdfWriter()
    w.add_page(PdfReader(text_pdf).pages[0])
    w.add_page(PdfReader(scan).pages[1])
    out = tmp_path / "mixed.pdf"
    w.write(out)
    return out


def test_without_tesseract_the_other_pages_are_read_and_the_file_named(
        scanned, tmp_path, monkeypatch, caplog) -> None:
    monkeypatch.setenv("COUNCIL_TESSERACT", str(tmp_path / "no-such-tesseract"))
    mixed = _mixed(tmp_path, scanned)
    src = load_source(mixed, display_path="Scrutiny Board 2/2020-01-09/mixed.pdf")
    first, second = src.pages
    assert src.text[first.start:first.end] and second.end == second.start
    assert not first.ocr and not second.ocr
    (warning,) = src.warnings
    assert warning.startswith("Scrutiny Board 2/2020-01-09/mixed.pdf: scanned page(s) 2 not read: "
                              "tesseract is not installed")
    assert "tesseract-ocr" in warning and warning in caplog.text
    _, scan, _ = scanned
    with pytest.raises(ParseError) as info:
        load_source(scan)
    assert "tesseract is not installed" in info.value.reason and "tesseract-ocr-eng" in info.value.reason
    assert str(scan) in str(info.value)


def test_the_reader_passes_the_warning_on(scanned, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COUNCIL_TESSERACT", str(tmp_path / "no-such-tesseract"))
    folder = tmp_path / "Scrutiny Board 2" / "2020-01-09"
    folder.mkdir(parents=True)
    _mixed(tmp_path, scanned).rename(folder / "Libraries Update.pdf")
    ps = parse_path(folder)
    assert any("scanned page(s) 2 not read" in w and "Libraries Update.pdf" in w for w in ps.warnings)
    assert ps.documents  # the page with a text layer is indexed
