"""indexer.sources: reading text, markdown and PDF files, and refusing bad ones clearly."""

from __future__ import annotations

import hashlib
import random
import time
from pathlib import Path

import pytest

from indexer.common.errors import ParseError
from indexer.ingest.files import SUPPORTED_SUFFIXES, iter_input_files
from indexer.parse.sources import load_source, page_markers, running_lines
from tests.pdfgen import (
    break_pages,
    make_encrypted_pdf,
    make_large_pdf,
    make_pdf,
    make_scanned_pdf,
)

MINUTES = (
    "25. Apologies for Absence\nThere were no apologies.\n"
    "26. Minutes\nRESOLVED that the minutes be agreed."
)


def reason(path: Path, display: str | None = None) -> str:
    with pytest.raises(ParseError) as info:
        load_source(path, display)
    return info.value.reason


# --- text and markdown -------------------------------------------------------------------


def test_text_file_is_read_verbatim(tmp_path: Path) -> None:
    raw = "Café minutes\n\n  indented line\ttab\n".encode()
    f = tmp_path / "minutes.txt"
    f.write_bytes(raw)
    src = load_source(f)
    assert src.text == "Café minutes\n\n  indented line\ttab\n"
    assert src.kind == "text"
    assert src.path == str(f)
    assert src.pages == ()
    assert src.sha256 == hashlib.sha256(raw).hexdigest()


def test_display_path_goes_into_the_source(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("hello")
    assert load_source(f, display_path="corpus/a.txt").path == "corpus/a.txt"
    assert reason(tmp_path / "missing.txt", "corpus/missing.txt") == "no such file"


def test_markdown_with_bom_and_crlf(tmp_path: Path) -> None:
    raw = b"\xef\xbb\xbf# Agenda\r\n\r\n1. **Apologies**\r\n2. Minutes\rend"
    f = tmp_path / "agenda.MD"
    f.write_bytes(raw)
    src = load_source(f)
    assert src.kind == "markdown"
    assert src.text == "# Agenda\n\n1. **Apologies**\n2. Minutes\nend"
    assert src.sha256 == hashlib.sha256(raw).hexdigest()  # of the bytes, BOM included
    assert load_source(f.rename(tmp_path / "agenda.markdown")).kind == "markdown"


def test_page_markers_give_offsets_of_the_marker_lines() -> None:
    text = (
        "Report body\nPage 12\nMore text\n"
        "Page 26 Progress against priorities\n"
        "Please see page 2 onwards\n"
        "  Page 40\n"
        "The Page 3 figure\nPage 12a\nPages 3 - 8\n"
    )
    found = page_markers(text)
    assert [n for _, n in found] == [12, 26, 40]
    for offset, n in found:
        assert text[offset:].lstrip().startswith(f"Page {n}")
        assert offset == 0 or text[offset - 1] == "\n"


@pytest.mark.parametrize(
    "content", [b"", b"   \n\t\r\n  ", b"\xef\xbb\xbf", "\u3000\n".encode()]
)
def test_empty_or_whitespace_text_is_refused(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "blank.txt"
    f.write_bytes(content)
    assert reason(f) == "empty file"


def test_binary_files_are_refused(tmp_path: Path) -> None:
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"looks like text\x00but is not")
    assert reason(nul) == "binary file, not text"
    controls = tmp_path / "controls.md"
    controls.write_bytes(b"ab\x01\x02\x03\x1b\x7fcd" * 20)
    assert reason(controls) == "binary file, not text"
    noise = tmp_path / "noise.txt"
    noise.write_bytes(random.Random(7).randbytes(4096))
    assert reason(noise) == "binary file, not text"


def test_a_stray_control_character_does_not_make_text_binary(tmp_path: Path) -> None:
    f = tmp_path / "form-feed.txt"
    f.write_bytes(b"page one\x0cpage two " + b"x" * 200 + b"\x1b")
    assert load_source(f).text.startswith("page one\x0cpage two")


def test_latin1_text_is_refused_not_guessed(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes("Minutes: café".encode("latin-1"))
    assert reason(f) == "not UTF-8 text (byte 0xE9 at offset 12)"
    bom = tmp_path / "bom-latin1.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + "café".encode("latin-1"))
    assert reason(bom) == "not UTF-8 text (byte 0xE9 at offset 6)"  # offset in the file
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Minutes".encode("utf-16"))
    assert reason(utf16) == "not UTF-8 text (UTF-16 byte order mark)"


def test_unsupported_suffix_and_directories(tmp_path: Path) -> None:
    doc = tmp_path / "pack.docx"
    doc.write_bytes(b"PK")
    assert reason(doc).startswith("unsupported file type '.docx'")
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert reason(folder) == "is a directory, not a file"


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_pages_carry_pdf_and_printed_numbers(tmp_path: Path) -> None:
    update = "27. Libraries Update\nThe Board considered a briefing note. " * 3
    pages = [MINUTES, update, "28. Close"]
    f = make_pdf(tmp_path / "pack.pdf", pages, first_page_number=67)
    src = load_source(f)
    assert src.kind == "pdf"
    assert src.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert [(p.pdf_page, p.printed_page) for p in src.pages] == [(1, 67), (2, 68), (3, 69)]
    # Pages are contiguous slices of the text joined by a blank line.
    assert src.text == "\n\n".join(src.text[p.start:p.end] for p in src.pages)
    first = src.text[src.pages[0].start:src.pages[0].end]
    assert first.startswith("25. Apologies for Absence\nThere were no apologies.\n26. Minutes")
    assert first.endswith("RESOLVED that the minutes be agreed.")  # the footer is furniture
    assert src.pages[0].furniture == ("Page 67",)
    assert "27. Libraries Update" in src.text[src.pages[1].start:src.pages[1].end]


def test_pdf_without_page_footer_has_no_printed_page(tmp_path: Path) -> None:
    src = load_source(make_pdf(tmp_path / "plain.pdf", [MINUTES, "More"], footer=None))
    assert [p.printed_page for p in src.pages] == [None, None]
    assert page_markers(src.text) == []


def test_running_header_leaves_the_text_and_is_kept_on_the_pages(tmp_path: Path) -> None:
    header = "Education and Children's Services Scrutiny Board (2)"
    pages = [f"{n}. Item {n}\nBody of item {n}." for n in range(1, 6)]
    src = load_source(make_pdf(tmp_path / "pack.pdf", pages, header=header))
    assert running_lines(src) == {header}
    assert header not in src.text
    for n, p in enumerate(src.pages, start=1):
        assert src.text[p.start:p.end] == f"{n}. Item {n}\nBody of item {n}."
        assert p.furniture == (header, f"Page {n}")
    no_header = load_source(make_pdf(tmp_path / "bare.pdf", pages))
    assert running_lines(no_header) == set()
    two_pages = load_source(make_pdf(tmp_path / "two.pdf", pages[:2], header=header))
    assert running_lines(two_pages) == {header}  # two pages are enough to call a line running
    one_page = load_source(make_pdf(tmp_path / "one.pdf", pages[:1], header=header))
    assert one_page.text.startswith(header)  # on one page nothing repeats: the header is text


def test_page_without_text_is_allowed_beside_pages_with_text(tmp_path: Path) -> None:
    src = load_source(make_pdf(tmp_path / "gap.pdf", [MINUTES, "", "Last page"], footer=None))
    assert [p.end - p.start for p in src.pages][1] == 0
    assert src.text.endswith("Last page")


def test_a_broken_page_is_kept_empty(tmp_path: Path) -> None:
    f = make_pdf(tmp_path / "pack.pdf", ["First page", "Second page", "Third page"])
    break_pages(f, [2])  # pdfium reads a broken content stream as an empty page
    src = load_source(f, display_path="pack.pdf")
    texts = [src.text[p.start:p.end] for p in src.pages]
    assert texts == ["First page", "", "Third page"]
    assert [p.printed_page for p in src.pages] == [1, None, 3]


def test_a_page_that_fails_is_kept_empty_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from indexer.parse import pdf

    real = pdf.text_segments
    calls = iter(range(1, 4))

    def flaky(page, tp=None):  # noqa: ANN001
        if next(calls) == 2:
            raise ValueError("bad glyph table")
        return real(page, tp)

    monkeypatch.setattr(pdf, "text_segments", flaky)
    f = make_pdf(tmp_path / "pack.pdf", ["First page", "Second page", "Third page"])
    src = load_source(f, display_path="pack.pdf")
    assert [src.text[p.start:p.end] for p in src.pages] == ["First page", "", "Third page"]
    assert "pack.pdf: page 2 unreadable, kept empty (ValueError: bad glyph table)" in caplog.text


def test_a_pdf_whose_every_page_is_unreadable_has_no_text(tmp_path: Path) -> None:
    f = break_pages(make_pdf(tmp_path / "pack.pdf", ["First page", "Second page"]), [1, 2])
    assert reason(f) == "no text layer, and no page image to OCR"


def test_zero_byte_pdf(tmp_path: Path) -> None:
    f = tmp_path / "empty.pdf"
    f.write_bytes(b"")
    assert reason(f) == "empty file"


def test_truncated_pdf(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf", [MINUTES] * 4).read_bytes()
    half = tmp_path / "half.pdf"
    half.write_bytes(whole[: len(whole) // 2])
    assert reason(half).startswith("corrupt or unreadable PDF (")
    tail = tmp_path / "tail.pdf"
    tail.write_bytes(b"%PDF-1.4\n" + whole[len(whole) // 2:])  # header, but no objects it needs
    assert reason(tail).startswith("corrupt or unreadable PDF (")


def test_garbage_with_pdf_suffix(tmp_path: Path) -> None:
    f = tmp_path / "fake.pdf"
    f.write_text("This is a Word document really.\n" * 20)
    assert reason(f) == "corrupt or unreadable PDF (no %PDF header)"
    noise = tmp_path / "noise.pdf"
    noise.write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(5000))
    assert reason(noise).startswith("corrupt or unreadable PDF (")


def test_password_protected_pdf(tmp_path: Path) -> None:
    f = make_encrypted_pdf(tmp_path / "secret.pdf", "Exempt information", "hunter2")
    assert reason(f) == "password-protected PDF"


def test_pdf_encrypted_only_with_owner_password_is_read(tmp_path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption("", ownerPassword="owner", canPrint=0, strength=128)
    src = load_source(make_pdf(tmp_path / "locked.pdf", [MINUTES], encrypt=enc))
    assert src.text.startswith("25. Apologies for Absence")


def test_drawings_without_text_or_images_are_refused(tmp_path: Path) -> None:
    assert reason(make_scanned_pdf(tmp_path / "scan.pdf", n_pages=3)) == "no text layer, and no page image to OCR"


@pytest.mark.slow  # about 3 s: 1 s to generate, 1.5-2 s to read
def test_500_page_pdf_is_read_quickly(tmp_path: Path) -> None:
    f = make_large_pdf(tmp_path / "big.pdf", n_pages=500)
    started = time.perf_counter()
    src = load_source(f)
    elapsed = time.perf_counter() - started
    assert len(src.pages) == 500
    assert [p.printed_page for p in src.pages] == list(range(1, 501))
    assert running_lines(src) == {"Scrutiny Board (2) - Document Pack"}
    assert "1499. Item 1499 was considered" in src.text[src.pages[-1].start:]
    assert elapsed < 20, f"500-page PDF took {elapsed:.1f}s"


# --- finding input files -------------------------------------------------------------------


def test_iter_input_files(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for rel in [
        "README.md", "b.txt", "a.PDF", "2020-01-09/meeting.json", "2020-01-09/minutes.md",
        "2020-01-09/notes.docx", ".hidden.txt", ".git/HEAD.txt", "x/.cache/c.txt", "x/y/z.markdown",
    ]:
        (corpus / rel).parent.mkdir(parents=True, exist_ok=True)
        (corpus / rel).write_text("text")
    single = tmp_path / "single.txt"
    single.write_text("one")
    got = iter_input_files([str(corpus), single, corpus / "b.txt"])  # b.txt only once
    assert [p.relative_to(tmp_path).as_posix() for p in got] == [
        "corpus/2020-01-09/minutes.md", "corpus/a.PDF", "corpus/b.txt",
        "corpus/x/y/z.markdown", "single.txt",
    ]
    assert all(p.suffix.lower() in SUPPORTED_SUFFIXES for p in got)


def test_iter_input_files_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as info:
        iter_input_files([tmp_path / "nope"])
    assert info.value.reason == "no such file or directory"


def test_iter_input_files_keeps_a_named_unsupported_file_for_load_source_to_refuse(
    tmp_path: Path,
) -> None:
    f = tmp_path / "pack.docx"
    f.write_bytes(b"PK")
    assert iter_input_files([f]) == [f]
