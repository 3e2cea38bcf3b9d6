"""Page layout: positioned pieces of text on a page become lines in the order a person reads them.

Input, per page: :class:`Segment` s (a run of text on one line with its box, in points from the
top-left corner), from the PDF's text layer or from OCR. Steps, each a function here:

1. :func:`rows` — segments that share a baseline form one visual row.
2. :func:`furniture` (over the whole document) — running headers and footers: the top and bottom
   rows of a page that recur on other pages at the same height (digits ignored, so "Page 3 of 12"
   and "Page 4 of 12" are one line), set apart from the body by a gap; and page-number lines
   ("Page 7", "Page 7 of 12", "- 7 -", "7") among a page's edge rows. They leave the text and are
   kept on the :class:`~indexer.common.models.Page` for dating.
3. :func:`reading_order` — a page whose body has two columns (a gutter no prose row crosses) is
   read column by column, band by band; full-width rows (titles, tables) keep their place.
4. :func:`page_lines` — rows become lines; a wide gap inside a row is a tab (a form or a table
   without rules, as the text packs write them); a gap between paragraphs is a blank line.

Tables found by pdfplumber arrive as ready-made rows (``Row.table``): cells joined by tabs.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median


@dataclass(frozen=True)
class Segment:
    """A run of text on one line: its box in points, ``top`` < ``bottom``, origin top-left."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 0.1)


@dataclass
class Row:
    """One visual row of a page: its segments left to right (or a table row already joined)."""

    segments: list[Segment]
    table: str | None = None  # a table row, cells joined by tabs

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def x0(self) -> float:
        return min(s.x0 for s in self.segments)

    @property
    def x1(self) -> float:
        return max(s.x1 for s in self.segments)

    @property
    def height(self) -> float:
        return median(s.height for s in self.segments)

    def text(self, tabs: bool = True) -> str:
        if self.table is not None:
            return self.table
        return join_segments(sorted(self.segments, key=lambda s: s.x0), tabs)


@dataclass
class PageRows:
    """One page's rows, its size and (after :func:`furniture`) the rows taken out of it."""

    width: float
    height: float
    rows: list[Row]
    furniture: list[Row] = field(default_factory=list)


def join_segments(segs: list[Segment], tabs: bool = True) -> str:
    """Segments of one row as text: touching pieces joined, a space between words, a tab for a
    gap wider than two and a half characters' height (two cells of a form or table)."""
    out = ""
    prev: Segment | None = None
    for s in segs:
        t = s.text.strip()
        if not t:
            continue
        if prev is not None:
            gap = s.x0 - prev.x1
            h = max(s.height, prev.height)  # OCR boxes: a dash is a pixel or two high
            if tabs and gap > 2.5 * h:
                out = out.rstrip() + "\t"
            elif gap > 0.15 * h and not out.endswith((" ", "\t")):
                out += " "
        out += t
        prev = s
    return out


def rows(segments: list[Segment]) -> list[Row]:
    """Group segments into rows: a segment joins a recent row it overlaps by half its height."""
    out: list[Row] = []
    for s in sorted(segments, key=lambda s: (s.top, s.x0)):
        if not s.text.strip():
            continue
        for r in reversed(out[-3:]):
            top, bottom = r.top, r.bottom
            overlap = min(bottom, s.bottom) - max(top, s.top)
            if overlap >= 0.5 * min(bottom - top, s.height):
                r.segments.append(s)
                break
        else:
            out.append(Row([s]))
    for r in out:
        r.segments.sort(key=lambda s: s.x0)
    out.sort(key=lambda r: r.top)
    return out


# ------------------------------------------------------------------ furniture

# "Page 7", "Page 7 of 12", "page 7/12", "- 7 -", "7", "7 of 12" alone on a row
PAGE_NUMBER_RE = re.compile(r"^(?:page\s+(\d{1,4})(?:\s*(?:of|/)\s*\d{1,4})?|[-–—(]?\s*(\d{1,4})\s*[-–—)]?"
                            r"|(\d{1,4})\s+of\s+\d{1,4})$", re.I)
_EDGE_ROWS = 3  # how many rows at the top and the bottom of a page can be furniture
_MAX_FURNITURE_CHARS = 160
# "Agenda Item 7": ModernGov stamps it at the same place on the first page of every report in a
# pack. It repeats like a running header but marks where a report starts, so it stays in the text.
_ITEM_STAMP = re.compile(r"^Agenda\s+Item\s+\d{1,3}[a-z]?\.?$", re.I)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d+", "#", text)).strip().lower()


_PAGE_MARKER = re.compile(r"^Page\s+(\d{1,4})\b", re.I)  # "Page 26 Progress against priorities"


def page_marker_number(text: str) -> int | None:
    """N from a running line that opens with "Page N"."""
    m = _PAGE_MARKER.match(text.strip())
    return int(m.group(1)) if m else None


def printed_number(text: str) -> int | None:
    """N from a page-number line ("Page 7 of 12" -> 7), else None."""
    m = PAGE_NUMBER_RE.match(text.strip())
    if not m:
        return None
    return int(next(g for g in m.groups() if g))


def line_pitch(pages: list[PageRows]) -> float:
    """The document's usual distance from one row's top to the next (its body line spacing):
    the median step between rows closer than two and a half row heights (wider steps are gaps
    between paragraphs, or between the body and a header)."""
    steps = [b.top - a.top for p in pages for a, b in zip(p.rows, p.rows[1:])
             if 0.5 < b.top - a.top <= 2.5 * max(a.height, b.height)]
    return median(steps) if steps else 12.0


def _edges(page: PageRows, pitch: float) -> tuple[list[int], list[int]]:
    """Indices of the candidate rows at the top and the bottom of a page, outermost first.

    A candidate block ends at the first gap of at least 1.4 line pitches (a header set apart
    from the body); rows past it are body. A page-number line is a candidate wherever it sits
    among the edge rows."""
    n = len(page.rows)

    def block(indices: list[int]) -> list[int]:
        picked: list[int] = []
        for k, i in enumerate(indices[:_EDGE_ROWS]):
            picked.append(i)
            if k + 1 < len(indices):
                a, b = page.rows[i], page.rows[indices[k + 1]]
                if abs(b.top - a.top) >= 1.4 * pitch:
                    return picked
        return [i for i in picked if printed_number(page.rows[i].text()) is not None]

    top = block(list(range(n)))
    bottom = [i for i in block(list(range(n - 1, -1, -1))) if i not in top]
    if len(top) + len(bottom) >= n:  # no body left: only page numbers can be furniture
        top, bottom = ([i for i in idx if printed_number(page.rows[i].text()) is not None]
                       for idx in (top, bottom))
    return top, bottom


def furniture(pages: list[PageRows]) -> None:
    """Move running headers, footers and page-number lines out of ``rows`` into ``furniture``.

    A row is a running line when its text (digits ignored) sits among the edge rows of at least
    two pages at the same height (within a quarter of a line): a report's banner, "Cabinet -
    13 March 2025", "Page 3 of 12". A page-number line is furniture on any page."""
    pitch = line_pitch(pages)
    edges = [_edges(p, pitch) for p in pages]
    seen: dict[tuple[str, str], list[float]] = defaultdict(list)
    for p, (top, bottom) in zip(pages, edges):
        for where, idx in (("top", top), ("bottom", bottom)):
            for i in idx:
                r = p.rows[i]
                if r.table is None and len(r.text()) <= _MAX_FURNITURE_CHARS:
                    seen[(where, _norm(r.text()))].append(r.top if where == "top" else p.height - r.bottom)
    tol = max(0.25 * pitch, 2.0)

    def running(where: str, r: Row, page: PageRows) -> bool:
        pos = seen.get((where, _norm(r.text())), [])
        here = r.top if where == "top" else page.height - r.bottom
        return sum(1 for x in pos if abs(x - here) <= tol) >= 2

    for p, (top, bottom) in zip(pages, edges):
        out: set[int] = set()
        for where, idx in (("top", top), ("bottom", bottom)):
            for i in idx:  # outermost first: stop at the first row that is body
                r = p.rows[i]
                if _ITEM_STAMP.match(r.text().strip()):
                    continue  # a stamp, not furniture: what lies beyond it may still be
                if r.table is None and (printed_number(r.text()) is not None or running(where, r, p)):
                    out.add(i)
                else:
                    break
        p.furniture = [r for i, r in enumerate(p.rows) if i in out]
        p.rows = [r for i, r in enumerate(p.rows) if i not in out]


# ------------------------------------------------------------------ columns

def _gutter(page: PageRows) -> float | None:
    """The x of a gutter between two columns of prose, or None for a one-column page.

    A gutter is a strip in the middle half of the page that at most one row in twelve crosses,
    with text on both sides in at least a third of the rows, and prose on the left: its pieces
    fill most of the column (a table's narrow cells do not)."""
    body = [r for r in page.rows if r.table is None]
    if len(body) < 6:
        return None
    lo, hi = page.width * 0.25, page.width * 0.75
    step = 2.0
    xs = [lo + k * step for k in range(int((hi - lo) / step) + 1)]
    spans = [(s.x0, s.x1) for r in body for s in r.segments]
    counts = [0] * len(xs)
    for x0, x1 in spans:  # rows crossing each x (a row's segments never overlap each other)
        for k in range(max(0, int((x0 - lo) / step) + 1), min(len(xs), int((x1 - lo) / step) + 1)):
            if x0 < xs[k] < x1:
                counts[k] += 1
    crossing = min(counts)
    if crossing > len(body) / 12:
        return None
    # the widest run of x positions crossed by that few rows: its middle is the gutter
    runs, start = [], None
    for k, c in enumerate(counts + [crossing + 1]):
        if c <= crossing and start is None:
            start = k
        elif c > crossing and start is not None:
            runs.append((k - start, start, k - 1))
            start = None
    _, a, b = max(runs)
    gx = (xs[a] + xs[b]) / 2
    both = sum(1 for r in body if any(s.x1 <= gx for s in r.segments) and any(s.x0 >= gx for s in r.segments))
    if both < len(body) / 3:
        return None
    left = [s for r in body for s in r.segments if s.x1 <= gx]
    if not left:
        return None
    left_edge = min(s.x0 for s in left)
    widths = sorted(s.x1 - s.x0 for s in left)
    if widths[len(widths) // 2] < 0.5 * (gx - left_edge):
        return None
    return gx


def reading_order(page: PageRows) -> list[Row]:
    """The page's rows as read: a two-column band left column first, then the right column."""
    gx = _gutter(page)
    if gx is None:
        return list(page.rows)
    out: list[Row] = []
    left: list[Row] = []
    right: list[Row] = []

    def flush() -> None:
        out.extend(left)
        out.extend(right)
        left.clear()
        right.clear()

    for r in page.rows:
        if r.table is not None or any(s.x0 < gx < s.x1 for s in r.segments):
            flush()
            out.append(r)
            continue
        ls = [s for s in r.segments if s.x1 <= gx]
        rs = [s for s in r.segments if s.x0 >= gx]
        if ls:
            left.append(Row(ls))
        if rs:
            right.append(Row(rs))
    flush()
    return out


def page_lines(ordered: list[Row], pitch: float) -> list[str]:
    """Rows as text lines; a blank line where the gap to the row above is wider than 1.7 line
    pitches (``pitch``: the document's, from :func:`line_pitch`)."""
    lines: list[str] = []
    prev: Row | None = None
    for r in ordered:
        if prev is not None and r.top - prev.top > 1.7 * pitch and lines and lines[-1]:
            lines.append("")
        lines.append(r.text())
        prev = r
    return lines
