"""Read one input file (text, markdown or PDF) into a :class:`SourceText`.

Everything later in the pipeline indexes into ``SourceText.text`` by character offset, so
the text is kept verbatim apart from two normalisations made before any offset exists:
line endings become ``\\n`` and a UTF-8 byte order mark is dropped. A file that cannot be
read raises :class:`ParseError` with a short reason; no encoding is ever guessed. Which
files to read is decided by :mod:`indexer.ingest.files`.

PDF text comes from pypdf's plain extraction, which follows the content stream. On the
fixtures that was the better reading order: layout mode sorts by position, pads lines to
the page width and interleaves two columns line by line. Layout is tried only for a page
where plain extraction returns nothing.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
from collections import Counter
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from indexer.common.errors import ParseError
from indexer.common.models import Page, SourceText
from indexer.ingest.files import FILE_KINDS, SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)


# "Page 12" alone on a line, or a running header such as "Page 26 Progress against priorities".
_PAGE_MARKER = re.compile(r"^[ \t]*Page[ \t]+(\d{1,4})\b[^\n]*$", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"
# Control bytes that never occur in text (tab, LF, VT, FF and CR are allowed).
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.05
_EDGE_LINES = 2  # how many lines at the top and bottom of a PDF page may hold "Page N"


def load_source(path: str | Path, display_path: str | None = None) -> SourceText:
    """Read ``path`` into a :class:`SourceText` whose ``path`` is ``display_path``."""
    path = Path(path)
    shown = display_path if display_path is not None else str(path)
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        expected = ", ".join(SUPPORTED_SUFFIXES)
        raise ParseError(shown, f"unsupported file type {path.suffix or '(none)'!r} "
                                f"(expected {expected})")
    raw = _read_bytes(path, shown)
    digest = hashlib.sha256(raw).hexdigest()
    if kind == "pdf":
        text, pages = _read_pdf(raw, shown)
        return SourceText(path=shown, text=text, kind="pdf", sha256=digest, pages=pages)
    return SourceText(path=shown, text=_decode_text(raw, shown), kind=kind, sha256=digest)


def page_markers(text: str) -> list[tuple[int, int]]:
    """``(offset of the line, N)`` for every line of ``text`` that is a "Page N" marker."""
    return [(m.start(), int(m.group(1))) for m in _PAGE_MARKER.finditer(text)]


def running_lines(source: SourceText) -> set[str]:
    """First lines (stripped) repeated on most pages of a PDF: running headers to ignore.

    Lines stay in ``source.text``; the reader compares ``line.strip()`` against this set.
    Text files carry no pages, so they have no running lines.
    """
    pages = [source.text[p.start:p.end] for p in source.pages]
    pages = [p for p in pages if p.strip()]
    if len(pages) < 3:
        return set()
    counts = Counter(first for p in pages if (first := _first_line(p)))
    return {line for line, n in counts.items() if n * 2 > len(pages)}


def _read_bytes(path: Path, shown: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ParseError(shown, "no such file") from None
    except IsADirectoryError:
        raise ParseError(shown, "is a directory, not a file") from None
    except OSError as e:
        raise ParseError(shown, f"cannot read file ({e.strerror or e})") from None


def _decode_text(raw: bytes, shown: str) -> str:
    if not raw.strip():
        raise ParseError(shown, "empty file")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(shown, "not UTF-8 text (UTF-16 byte order mark)")
    skipped = len(_BOM) if raw.startswith(_BOM) else 0
    body = raw[skipped:]
    controls = len(body) - len(body.translate(None, _CONTROL))
    if b"\x00" in body or controls > _MAX_CONTROL_SHARE * len(body):
        raise ParseError(shown, "binary file, not text")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParseError(shown, f"not UTF-8 text (byte 0x{body[e.start]:02X} "
                                f"at offset {e.start + skipped})") from None
    if not text.strip():
        raise ParseError(shown, "empty file")
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    # A lone CR (old Mac files, some PDF producers) is a line ending too.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_pdf(raw: bytes, shown: str) -> tuple[str, tuple[Page, ...]]:
    if not raw:
        raise ParseError(shown, "empty file")
    if b"%PDF-" not in raw[:1024]:
        raise ParseError(shown, "corrupt or unreadable PDF (no %PDF header)")
    # pypdf raises many exception types on damaged files (its own, plus KeyError,
    # ValueError, zlib.error, RecursionError ...): every one of them becomes a ParseError.
    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except DependencyError:
                raise ParseError(shown, "encrypted PDF needs the 'cryptography' package") from None
            if opened == PasswordType.NOT_DECRYPTED:
                raise ParseError(shown, "password-protected PDF")
        pdf_pages = list(reader.pages)
    except ParseError:
        raise
    except Exception as e:
        raise ParseError(shown, f"corrupt or unreadable PDF ({_cause(e)})") from None
    if not pdf_pages:
        raise ParseError(shown, "corrupt or unreadable PDF (no pages)")

    texts: list[str] = []
    failures: list[str] = []
    for number, page in enumerate(pdf_pages, start=1):
        try:
            text = _extract(page)
        except Exception as e:
            failures.append(f"page {number}: {_cause(e)}")
            log.warning("%s: page %d unreadable, kept empty (%s)", shown, number, _cause(e))
            text = ""
        texts.append(text)
    if len(failures) == len(pdf_pages):
        raise ParseError(shown, f"corrupt or unreadable PDF ({failures[0]})")
    if not any(t.strip() for t in texts):
        raise ParseError(shown, "no text layer, OCR needed")

    pages: list[Page] = []
    offset = 0
    for number, text in enumerate(texts, start=1):
        pages.append(Page(offset, offset + len(text), pdf_page=number,
                          printed_page=_printed_page(text)))
        offset += len(text) + 2
    return "\n\n".join(texts), tuple(pages)


def _extract(page) -> str:  # noqa: ANN001 - a pypdf PageObject
    text = page.extract_text() or ""
    if not text.strip():
        text = page.extract_text(extraction_mode="layout") or ""
    return _normalise_newlines(text).rstrip()


def _printed_page(page_text: str) -> int | None:
    """N from a "Page N" line among the last or first lines of a page (footer first)."""
    lines = [ln for ln in page_text.split("\n") if ln.strip()]
    edges = lines[-_EDGE_LINES:][::-1] + lines[:_EDGE_LINES]
    for line in edges:
        m = _PAGE_MARKER.match(line)
        if m:
            return int(m.group(1))
    return None


def _first_line(page_text: str) -> str | None:
    """The first non-blank line of a page that is not itself a "Page N" marker."""
    for line in page_text.split("\n"):
        if line.strip() and not _PAGE_MARKER.match(line):
            return line.strip()
    return None


def _cause(e: BaseException) -> str:
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    msg = msg[:80] + ("..." if len(msg) > 80 else "")
    return f"{type(e).__name__}: {msg}" if msg else type(e).__name__

