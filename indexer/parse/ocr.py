"""OCR of a scanned page with Debian's tesseract (``tesseract-ocr``, ``tesseract-ocr-eng``).

The page is rendered by pdfium at :data:`DPI` and given to the ``tesseract`` command on stdin;
its TSV output (one row per word, with the word's box and its block, paragraph and line) comes
back as :class:`~indexer.parse.layout.Segment` s in points, one per run of words on a line, so
an OCRed page goes through the same layout steps (running headers, columns, hyphens) as a
page with a text layer. The command is called directly (not through a wrapper) so that its
threads, time limit and errors are ours to set: one OpenMP thread, because pages are read one
at a time on a small machine, and a two-minute limit per page.

``make ocr`` (which ``make install`` and ``make test`` run) installs tesseract from Debian. The
environment variable ``COUNCIL_TESSERACT`` names another tesseract program (default: the one on
PATH). Without one, a scanned page is left empty and the file's warning says so (see
:mod:`indexer.parse.pdf`).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

from indexer.parse.layout import Segment

DPI = 300
LANG = "eng"
TIMEOUT_S = 120
INSTALL_HINT = "install Debian's tesseract-ocr and tesseract-ocr-eng (make ocr)"


class OcrUnavailable(RuntimeError):
    """tesseract is not installed (or cannot read English): the reason, for the file's warning."""


@dataclass(frozen=True)
class OcrWord:
    block: tuple[int, int, int]  # (block, paragraph, line)
    left: float
    top: float
    width: float
    height: float
    text: str
    conf: float


def tesseract_command() -> str | None:
    """The tesseract program to run (``COUNCIL_TESSERACT`` overrides the one on PATH)."""
    return shutil.which(os.environ.get("COUNCIL_TESSERACT", "tesseract"))


def ocr_image(png: bytes) -> list[OcrWord]:
    """Words tesseract reads in a PNG image, with boxes in pixels."""
    cmd = tesseract_command()
    if cmd is None:
        raise OcrUnavailable(f"tesseract is not installed; {INSTALL_HINT}")
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run([cmd, "stdin", "stdout", "-l", LANG, "--psm", "3", "tsv"], input=png,
                              capture_output=True, timeout=TIMEOUT_S, env=env, check=False)
    except subprocess.TimeoutExpired:
        raise OcrUnavailable(f"tesseract took more than {TIMEOUT_S} s on one page") from None
    except OSError as e:
        raise OcrUnavailable(f"tesseract could not be run ({e.strerror or e})") from None
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OcrUnavailable(f"tesseract failed ({msg[-1][:120] if msg else done.returncode}); {INSTALL_HINT}")
    words: list[OcrWord] = []
    rows = csv.DictReader(io.StringIO(done.stdout.decode("utf-8", "replace")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    for r in rows:
        text = (r.get("text") or "").strip()
        if r.get("level") != "5" or not text:
            continue
        words.append(OcrWord((int(r["block_num"]), int(r["par_num"]), int(r["line_num"])),
                             float(r["left"]), float(r["top"]), float(r["width"]), float(r["height"]),
                             text, float(r["conf"])))
    return words


def segments(words: list[OcrWord], scale: float) -> list[Segment]:
    """Words as segments in points: the words of one tesseract line, run together until a gap
    wider than two and a half word heights (a gutter or a form's next field; the taller word's
    height, as a dash's box is a pixel or two high)."""
    out: list[Segment] = []
    cur: list[OcrWord] = []

    def flush() -> None:
        if cur:
            out.append(Segment(min(w.left for w in cur) / scale, min(w.top for w in cur) / scale,
                               max(w.left + w.width for w in cur) / scale,
                               max(w.top + w.height for w in cur) / scale,
                               " ".join(w.text for w in cur)))
            cur.clear()

    for w in words:
        if cur:
            prev = cur[-1]
            gap = w.left - (prev.left + prev.width)
            h = max(w.height, prev.height)  # a dash's box is a pixel or two high
            if w.block != prev.block or gap > 2.5 * h:
                flush()
        cur.append(w)
    flush()
    return out


def ocr_page(page) -> list[Segment]:  # noqa: ANN001 - a pypdfium2 PdfPage
    """The segments tesseract reads on a rendered PDF page."""
    scale = DPI / 72
    image = page.render(scale=scale, grayscale=True).to_pil()
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return segments(ocr_image(buf.getvalue()), scale)
