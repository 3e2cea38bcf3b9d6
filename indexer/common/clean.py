"""Text as a reader should see it: the document's words, without the debris of its conversion.

Papers reach the index as text converted from PDF (and sometimes OCR), which leaves markup
behind: markdown emphasis (``**``), heading marks (``#``), literal HTML (``<ul style=…>``,
``<i>``), escaped characters (``\\_``), link syntax, bullet glyphs (``-``, ``•``, ``¢``,
``\uf0b7``), words hyphenated across a line break, a line repeated by a page break, and table
rows whose cells are separated by tabs.

:func:`clean_text` removes that markup and nothing else, so what is quoted is still the
document's words: it is used for answers, for the passages shown under them and for page text.
A table row reads as its label followed by "column: value" pairs (``Central — Visitors:
356,583; Issues: 221,054``); a row holding only a label (a section of the table) stays a line of
its own. The column names come from the table's header line when the text holds it, otherwise
from ``header_at`` (the caller knows the table a passage was cut from). The result keeps one
line per paragraph, bullet or row, so :func:`indexer.common.text.sentences` splits it as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

# A link written as markdown ("[watch via FB](#)"), an image, or an autolink ("<http://...>").
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
# An HTML tag or comment, as converters leave them ("<ul style=...>", "</i>", "<br/>").
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>\n]*)?/?>")
_ENTITY = {"&amp;": "&", "&nbsp;": " ", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'"}
_EMPHASIS = re.compile(r"\*{2,}|(?<![\w*])_{2}(?=\w)|(?<=\w)_{2}(?![\w])")
_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])")  # *italic*
_ESCAPE = re.compile(r"\\([_*#\[\]()<>`|-])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
_BULLET = re.compile(r"^\s*(?:[-–•▪●◦¢\uf0b7\uf0a7]\s+|[*]\s+)+")
_RULE = re.compile(r"^\s*(?:[-_*=]\s*){3,}$|^\s*_{3,}\s*$")
_LONE = re.compile(r"^\s*(?:[-–•▪●◦¢*\uf0b7\uf0a7]|\(?[a-z]\)|\(?[ivx]{1,4}\)|\d{1,2}[.)]?)\s*$")
_ENDS = re.compile(r"[.!?:;]['\"”’)\]]*$")
_NUMBERED = re.compile(r"^(?:\(?[a-z]\)|\(?[ivx]{1,4}[.)]|\(?\d{1,2}(?:\.\d{1,2})*[.)]?\s|[A-Z][.)]\s)")
WRAP_WIDTH = 60  # a line this long that stops without a full stop was wrapped by the page
_HYPHEN_BREAK = re.compile(r"([a-z])-\n\s*([a-z])")


def clean_line(line: str) -> str:
    """One line without markup: links keep their words, tags and emphasis go, bullets go."""
    t = _IMAGE.sub("", line)
    t = _LINK.sub(r"\1", t)
    t = _AUTOLINK.sub(r"\1", t)
    t = _TAG.sub("", t)
    for ent, ch in _ENTITY.items():
        t = t.replace(ent, ch)
    t = _EMPHASIS.sub("", t)
    t = _STAR.sub(r"\1", t)
    t = _ESCAPE.sub(r"\1", t)
    t = _HEADING.sub("", t)
    if _RULE.match(t):
        return ""
    t = _BULLET.sub("", t)
    return re.sub(r"[ \u00a0]{2,}", " ", t).strip()


_VALUE = re.compile(r"[\d,.%£€$()\s/:-]*\d[\d,.%£€$()\s/:-]*(?:[km]|bn)?", re.I)


_JOINING = re.compile(r"(?:\b(?:the|a|an|of|and|or|to|on|in|for|by|with|at|from|that|be|is|was|were|are|as|into"
                      r"|per|their|its|his|her|this|these|which|who|has|have|had|not|no)|[,&/–-])$", re.I)
_LEADING_DATE = re.compile(r"^\d{1,2}(?:st|nd|rd|th)?\s+[A-Z][a-z]+\s+\d{4}\b|^(?:Date|Time|Place)\b")


def _continues(prev: str, line: str, wrapped: bool) -> bool:
    """``line`` goes on with the sentence ``prev`` left open: it starts in lower case, ``prev``
    ends on a word that cannot end a sentence ("of", "the", "&"), or ``prev`` ran to the page
    width without a full stop and ``line`` is not a dated entry of its own."""
    if _ENDS.search(prev):
        return False
    if line[:1].islower() or _JOINING.search(prev):
        return True
    return wrapped and not _LEADING_DATE.match(line)


def _is_header(cells: list[str], next_cells: list[str] | None) -> bool:
    """A table's header line: no cell of it is a figure, while the row below has one (or its first
    cell, the row labels' column, is empty)."""
    if not cells or not any(cells):
        return False
    values = [c for c in cells if c and _VALUE.fullmatch(c)]
    if values:
        return False
    if cells[0] == "":
        return True
    if next_cells is None:
        return False
    return (any(c and _VALUE.fullmatch(c) for c in next_cells[1:])
            or bool(_DATE_CELL.search(next_cells[0])) and not _DATE_CELL.search(" ".join(cells)))


_DATE_CELL = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
                        r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.I)


def table_row(cells: Sequence[str], columns: Sequence[str] | None) -> str:
    """"Central — Visitors: 356,583; Issues: 221,054" (label first, then the cells with their column)."""
    cells = [c.strip() for c in cells]
    if columns and len(cells) != len(columns) and not any(cells[len(columns):]):
        cells = (cells + [""] * len(columns))[:len(columns)]
    label, values = cells[0], cells[1:]
    if not any(values):
        return label
    names = list(columns[1:]) if columns and len(columns) == len(cells) else [None] * len(values)
    pairs = [f"{n}: {v}" if n else v for n, v in zip(names, values) if v]
    return (f"{label} — " if label else "") + "; ".join(pairs)


def clean_text(text: str, header_at: Callable[[int], Sequence[str] | None] | None = None) -> str:
    """``text`` without conversion debris (see the module docstring). ``header_at(offset)`` gives
    the column names of the table whose row starts at ``offset`` in ``text``, when the text does
    not hold the header line itself."""
    text = _HYPHEN_BREAK.sub(r"\1\2", text.replace("\r\n", "\n"))
    raw = text.split("\n")
    starts, pos = [], 0
    for line in raw:
        starts.append(pos)
        pos += len(line) + 1
    out: list[str] = []
    columns: list[str] | None = None
    in_table = False
    wrapped = False  # the last text line ran to the page width
    blank = False  # a blank line since the last text line
    for i, line in enumerate(raw):
        if "\t" in line:
            cells = [clean_line(c) for c in line.split("\t")]
            nxt = [clean_line(c) for c in raw[i + 1].split("\t")] if i + 1 < len(raw) and "\t" in raw[i + 1] else None
            if not in_table:
                in_table = True
                found = header_at(starts[i]) if header_at is not None else None
                columns = [clean_line(c) for c in found] if found else None
                if columns is not None and cells == columns:
                    continue
                if columns is None and _is_header(cells, nxt):
                    columns = cells
                    continue
            if columns is not None and cells == columns:
                continue  # the header repeated after a page break
            row = table_row(cells, columns)
            if row:
                if blank and out:
                    out.append("")
                out.append(row)
            wrapped = blank = False
            continue
        in_table = False
        t = clean_line(line)
        if not t:
            if not line.strip():
                blank = True
            continue
        if _LONE.match(t) and not re.search(r"[A-Za-z]{2}", t):
            continue  # a bullet, page number or list number left alone on its line
        if out and t == out[-1]:
            continue  # a line doubled by the conversion
        if out and out[-1] and _continues(out[-1], t, wrapped) and not _BULLET.match(line) and not _NUMBERED.match(t):
            out[-1] += " " + t  # a line broken by the page width, not a new paragraph
        else:
            if blank and out:
                out.append("")
            out.append(t)
        blank = False
        wrapped = len(line.strip()) >= WRAP_WIDTH
    cleaned = "\n".join(out)
    cleaned = re.sub(r"\n{3,}", "\n\n", cleaned)
    return _undouble(cleaned).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def _undouble(text: str) -> str:
    """A sentence repeated at once ("The Board noted it. The Board noted it.") is kept once."""
    lines = []
    for line in text.split("\n"):
        parts = _SENTENCE_END.split(line)
        kept = [p for k, p in enumerate(parts) if k == 0 or p.strip() != parts[k - 1].strip()]
        lines.append(" ".join(kept))
    return "\n".join(lines)


def clean_inline(text: str) -> str:
    """:func:`clean_text` on one line: the cleaned text with its lines joined by spaces."""
    return " ".join(clean_text(text).split())
