"""Read one input file (text, markdown or PDF) into a :class:`SourceText`.

Everything later in the pipeline indexes into ``SourceText.text`` by character offset, so
the text of a text or markdown file is kept verbatim apart from two normalisations made before
any offset exists: line endings become ``\\n`` and a UTF-8 byte order mark is dropped. A file
that cannot be read raises :class:`ParseError` with a short reason; no encoding is ever guessed.
Which files to read is decided by :mod:`indexer.ingest.files`.

A PDF is read by :mod:`indexer.parse.pdf`: its text as a person reads it, with the running
headers and footers moved out of the text onto each ``Page.furniture``.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import Counter
from pathlib import Path

from indexer.common.errors import ParseError
from indexer.common.models import SourceText
from indexer.ingest.files import FILE_KINDS, SUPPORTED_SUFFIXES
from indexer.parse.layout import PAGE_NUMBER_RE
from indexer.parse.pdf import read_pdf

log = logging.getLogger(__name__)


# "Page 12" alone on a line, or a running header such as "Page 26 Progress against priorities".
_PAGE_MARKER = re.compile(r"^[ \t]*Page[ \t]+(\d{1,4})\b[^\n]*$", re.MULTILINE)
_BOM = b"\xef\xbb\xbf"
# Control bytes that never occur in text (tab, LF, VT, FF and CR are allowed).
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_MAX_CONTROL_SHARE = 0.05


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
        pdf = read_pdf(raw, shown)
        return SourceText(path=shown, text=pdf.text, kind="pdf", sha256=digest, pages=pdf.pages,
                          warnings=pdf.warnings)
    return SourceText(path=shown, text=_decode_text(raw, shown), kind=kind, sha256=digest)


def page_markers(text: str) -> list[tuple[int, int]]:
    """``(offset of the line, N)`` for every line of ``text`` that is a "Page N" marker."""
    return [(m.start(), int(m.group(1))) for m in _PAGE_MARKER.finditer(text)]


def running_lines(source: SourceText) -> set[str]:
    """The running headers and footers taken out of a PDF's pages (page numbers aside).

    They are no longer in ``source.text``; the structure reader still skips a body line that
    reads exactly like one. ``Page.furniture`` keeps them page by page, in order, for dating.
    Text files carry no pages, so they have no running lines.
    """
    counts = Counter(line.strip() for p in source.pages for line in set(p.furniture))
    return {line for line, n in counts.items() if n >= 2 and line and not PAGE_NUMBER_RE.match(line)}


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
