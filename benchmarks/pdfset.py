"""A varied set of PDFs with known text, for benchmarks/pdf_extraction.py.

No council's PDFs are on this machine, so the set is real council *text* set as PDF by reportlab
(tests/pdfgen.py ``make_layout_pdf``) in the layouts council reports use, so that what a person
reads on every page is known:

- the five Coventry packs (corpus/*.txt): their paragraphs, and their tab-separated tables set
  as ruled tables;
- Limerick minutes (../shared/limerick): their sentences, a few per paragraph.

Layouts (one per document, in turn): a ModernGov pack page ("Page N" footer); a report with a
running header and "Page N of M" and words hyphenated at line ends; two columns with a banner at
the top right; two columns whose content stream runs across the columns row by row with the
furniture drawn last (as some producers write it); one column with ruled tables (the text packs'
own tab-separated tables, three to a document, taken in turn from all five packs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from common import CACHE, CORPUS, LIMERICK
from tests.pdfgen import Layout, Truth, make_layout_pdf

LAYOUTS: dict[str, Layout] = {
    "pack": Layout(footer="Page {n}"),
    "report-hyphens": Layout(header="Scrutiny Board - 9 January 2020", footer="Page {n} of {m}", hyphenate=True),
    "two-columns": Layout(columns=2, header="Cabinet - 13 March 2025", header_right="OFFICIAL",
                          footer="{n}", hyphenate=True),
    "two-columns-rows": Layout(columns=2, header="Planning Committee - 4 March 2025", footer="Page {n} of {m}",
                               hyphenate=True, stream="rows"),
    "tables": Layout(header="Audit and Procurement Committee", header_right="Appendix 2",
                     footer="Page {n} of {m}", stream="rows"),
}
PAGES_PER_DOC = 6
WORDS_PER_PAGE = 420  # about what a one-column page of 10pt text holds


@dataclass
class Doc:
    path: Path
    layout: str
    source: str
    truth: Truth


def _corpus_blocks(path: Path) -> tuple[list[str], list[list[tuple[str, ...]]]]:
    """Paragraphs (lines of one paragraph joined) and tables (runs of tab lines) of a text pack."""
    text = path.read_text(encoding="utf-8").replace("**", "")
    paras, tables, run = [], [], []
    for block in re.split(r"\n[ \t]*\n", text):
        lines = [ln for ln in block.split("\n") if ln.strip() and not re.match(r"^\s*Page \d+\s*$", ln)]
        tab = [ln for ln in lines if "\t" in ln]
        if tab and len(tab) == len(lines):
            run += [tuple(c.strip() for c in ln.split("\t")) for ln in tab]
            continue
        if len(run) >= 3:
            tables.append(run)
        run = []
        para = " ".join(" ".join(ln.split()) for ln in lines).lstrip("#- ").strip()
        if len(para.split()) >= 6:
            paras.append(para)
    if len(run) >= 3:
        tables.append(run)
    return paras, [_even(t) for t in tables if _even(t)]


def _even(rows: list[tuple[str, ...]]) -> list[tuple[str, ...]] | None:
    """A table with every row as wide as its header (short rows padded), cells kept short."""
    width = len(rows[0])
    if width < 2 or width > 7:
        return None
    out = [tuple((list(r) + [""] * width)[:width]) for r in rows if any(c for c in r)]
    out = [tuple(c[:80] for c in r) for r in out]
    return out[:18] if len(out) >= 3 else None


def _limerick_paras(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\[Original file\]\([^)]*\)|^---$", " ", text, flags=re.M)
    words = " ".join(text.replace("**", "").split()).split()
    return [" ".join(words[i:i + 70]) for i in range(0, len(words), 70)]


def _limerick_files(n: int) -> list[Path]:
    files = sorted(LIMERICK.glob("*/*/*/Minutes*.md")) if LIMERICK.is_dir() else []
    return files[:: max(1, len(files) // n)][:n] if files else []


def _take(paras: list[str], start: int, words: int) -> list[str]:
    out, n, i = [], 0, start
    while n < words and i < len(paras):
        out.append(paras[i])
        n += len(paras[i].split())
        i += 1
    return out


def build(folder: Path | None = None) -> list[Doc]:
    """Write the set under ``folder`` (default .cache/bench/pdfset) and return its documents."""
    folder = folder or CACHE / "pdfset"
    folder.mkdir(parents=True, exist_ok=True)
    names = list(LAYOUTS)
    docs: list[Doc] = []
    sources: list[tuple[str, list[str], list[list[tuple[str, ...]]]]] = []
    for f in sorted(CORPUS.glob("*.txt")):
        paras, tables = _corpus_blocks(f)
        sources.append((f.name, paras, tables))
    for f in _limerick_files(8):
        sources.append((f.name, _limerick_paras(f), []))
    pool = [t for _, _, tables in sources for t in tables]  # every text pack's tables
    budget = PAGES_PER_DOC * WORDS_PER_PAGE
    k = 0
    for name, paras, tables in sources:
        for part in range(2):  # two documents from each source, from different places in it
            start = part * len(paras) // 2
            blocks: list = _take(paras, start, budget)
            layout = names[k % len(names)]
            if layout == "tables":  # three of the packs' tables, in turn, between paragraphs
                for j in range(3):
                    blocks.insert(min(len(blocks), 2 + j * 4), pool[(3 * k + j) % len(pool)])
            elif LAYOUTS[layout].columns == 2:
                blocks = _take(paras, start, budget * 2 // 3)  # narrower columns: fewer words a page
            k += 1
            if not blocks:
                continue
            path = folder / f"{len(docs):02d}-{layout}.pdf"
            truth = make_layout_pdf(path, blocks, LAYOUTS[layout])
            docs.append(Doc(path, layout, f"{name} part {part + 1}", truth))
    return docs
