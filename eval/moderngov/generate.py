"""Write a ModernGov-style tree of meeting PDFs from the text fixtures in ``meetings/``.

    python eval/moderngov/generate.py OUT_DIR [--small]

The council, its committees and every fact are invented. What the tree reproduces is how a
ModernGov site's papers look once downloaded: ``<committee>/<YYYY-MM-DD>/`` folders, the public
reports pack in ``public_packs/`` (a front sheet listing each item's "(Pages 9 - 14)", then
each report on its own pages under an "Agenda Item N" stamp, numbered "Page N"), the agenda
frontsheet and reports also filed one by one ("Page 2 of 5"), generated names ("Public reports
pack 16th-Jan-2025 10.00 <committee>.pdf", "Printed minutes ...", "Item 5 Supplement ..."),
"%20" and "(1)" copies, running headers, two-column pages, tables, hyphenated line ends,
minutes and notes of other bodies filed with a later meeting, and a scanned page (an image
with no text layer). A few folders carry a ``meeting.json`` with only committee and date.

The output is deterministic (reportlab's invariant mode), so re-running it changes nothing.
The fixture format is described in ``meetings/README.md``.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

HERE = Path(__file__).resolve().parent
W, H = A4
MARGIN, FONT, SIZE, LEADING = 56, "Helvetica", 10, 13
WRAP, COL_WRAP = 95, 44
TOP, BOTTOM = H - MARGIN - 14, MARGIN + 16


@dataclass
class Doc:
    item: str | None
    text: str
    pack: bool = False
    file: str | None = None
    header: str | None = None
    hyphenate: bool = False
    supplement: bool = False


@dataclass
class Meeting:
    meta: dict
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (number, title, line under it)
    docs: list[Doc] = field(default_factory=list)
    copies: list[tuple[str, str]] = field(default_factory=list)

    @property
    def when(self) -> date:
        return date.fromisoformat(self.meta["date"])

    @property
    def stamp(self) -> str:
        """"16th-Jan-2025 10.00 Resources and Performance Board", as ModernGov names files."""
        d = self.when
        ordinal = "th" if 10 <= d.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
        return f"{d.day:02d}{ordinal}-{d:%b}-{d.year} {self.meta['clock']} {self.meta['committee']}"


# ------------------------------------------------------------------ fixtures

def read_fixture(path: Path) -> Meeting:
    head, *blocks = re.split(r"^== ", path.read_text(encoding="utf-8"), flags=re.M)
    meta: dict = {}
    m = Meeting(meta)
    for line in head.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, value = line.partition(":")
        if key.strip() == "item":
            num, title, *rest = [x.strip() for x in value.split("|")]
            m.items.append((num, title, rest[0] if rest else ""))
        else:
            meta[key.strip()] = value.strip()
    for block in blocks:
        first, _, body = block.partition("\n")
        words = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|(\S+))', first)}
        if first.startswith("copy"):
            m.copies.append((words["from"], words["to"]))
            continue
        m.docs.append(Doc(item=words.get("item") if words.get("item") != "none" else None, text=body.strip("\n"),
                          pack=words.get("pack") == "yes", file=words.get("file"), header=words.get("header"),
                          hyphenate=words.get("hyphenate") == "yes", supplement=words.get("supplement") == "yes"))
    return m


# ------------------------------------------------------------------ laying out pages

def _wrap(text: str, width: int, hyphenate: bool) -> list[str]:
    if not hyphenate:
        return textwrap.wrap(text, width) or [""]
    out, line = [], ""
    for word in text.split():
        room = width - len(line) - (1 if line else 0)
        if len(word) <= room:
            line = f"{line} {word}" if line else word
            continue
        if len(word) >= 7 and room >= 4 and word.isalpha():  # "main-" / "tenance"
            cut = min(room - 1, len(word) - 3)
            out.append(f"{line} {word[:cut]}-" if line else f"{word[:cut]}-")
            line = word[cut:]
        else:
            out.append(line)
            line = word
    return out + [line] if line else out


def _blocks(text: str):
    """("text" | "table" | "columns" | "scan" | "page", content) in order."""
    pos = 0
    for m in re.finditer(r"\[\[(table|columns|scan)\]\]\n(.*?)\n\[\[/\1\]\]|\[\[page\]\]", text, re.S):
        if m.start() > pos:
            yield "text", text[pos:m.start()].strip("\n")
        yield (m.group(1) or "page"), (m.group(2) or "")
        pos = m.end()
    if pos < len(text):
        yield "text", text[pos:].strip("\n")


class Pages:
    """Pages as lists of drawing operations: ("text", x, y, s), ("line", x1, y1, x2, y2), ("image", text)."""

    def __init__(self) -> None:
        self.pages: list[list[tuple]] = [[]]
        self.y = TOP

    @property
    def laid_out(self) -> list[list[tuple]]:
        return [p for p in self.pages if p] or [[]]

    def new_page(self) -> None:
        if self.pages[-1]:
            self.pages.append([])
        self.y = TOP

    def line(self, s: str, x: float = MARGIN) -> None:
        if self.y < BOTTOM:
            self.new_page()
        if s:
            self.pages[-1].append(("text", x, self.y, s))
        self.y -= LEADING

    def add(self, text: str, hyphenate: bool = False) -> None:
        for kind, body in _blocks(text):
            if kind == "page":
                self.new_page()
            elif kind == "text":
                for para in body.split("\n"):
                    for ln in _wrap(para, WRAP, hyphenate) if para.strip() else [""]:
                        self.line(ln)
            elif kind == "table":
                self._table([[c.strip() for c in row.split("|")] for row in body.splitlines() if row.strip()])
            elif kind == "columns":
                self._columns(body)
            elif kind == "scan":
                self.new_page()
                self.pages[-1].append(("image", body))
                self.new_page()

    def _table(self, rows: list[list[str]]) -> None:
        n = max(len(r) for r in rows)
        widths = [max(len(r[k]) if k < len(r) else 0 for r in rows) for k in range(n)]
        scale = (W - 2 * MARGIN) / max(1, sum(w + 3 for w in widths))
        xs = [MARGIN]
        for w in widths:
            xs.append(xs[-1] + (w + 3) * scale)
        if self.y - LEADING * (len(rows) + 1) < BOTTOM:
            self.new_page()
        for r in rows:
            top = self.y + LEADING - 3
            for k, cell in enumerate(r):
                self.pages[-1].append(("text", xs[k] + 3, self.y, cell))
            self.pages[-1].append(("line", MARGIN, top, xs[-1], top))
            self.y -= LEADING
        self.pages[-1].append(("line", MARGIN, self.y + LEADING - 3, xs[-1], self.y + LEADING - 3))
        self.y -= LEADING

    def _columns(self, body: str) -> None:
        """Two columns, the left one drawn (and so read) before the right."""
        lines = []
        for para in body.split("\n"):
            lines += _wrap(para, COL_WRAP, False) if para.strip() else [""]
        if (self.y - BOTTOM) / LEADING < 20:
            self.new_page()
        top = self.y
        per_col = int((top - BOTTOM) / LEADING)
        half = min(per_col, (len(lines) + 1) // 2)
        for k, col in enumerate((lines[:half], lines[half:half + per_col])):
            y = top
            for s in col:
                if s:
                    self.pages[-1].append(("text", MARGIN + k * (W - 2 * MARGIN) / 2 + (8 if k else 0), y, s))
                y -= LEADING
        self.y = top - LEADING * (half + 1)


def _scan_image(text: str) -> ImageReader:
    """The page as a 150 dpi greyscale image: a scan with no text layer."""
    from PIL import Image, ImageDraw, ImageFont
    import reportlab

    font = ImageFont.truetype(str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"), 21)
    img = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(img)
    y = 120
    for para in text.split("\n"):
        for ln in textwrap.wrap(para, 80) or [""]:
            draw.text((110, y), ln, fill=20, font=font)
            y += 31
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    buf.seek(0)
    return ImageReader(buf)


def render(path: Path, pages: list[list[tuple]], *, header: str | None = None,
           footer: str | None = None, first_number: int = 1, stamps: dict[int, str] | None = None) -> None:
    """Write ``pages``; ``footer`` may use {n} (printed number) and {m} (page count)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for k, ops in enumerate(pages):
        if stamps and k in stamps:  # ModernGov's "Agenda Item N", first on the page
            c.setFont("Helvetica-Bold", 11)
            c.drawRightString(W - MARGIN, H - 30, stamps[k])
        if header and not any(op[0] == "image" for op in ops):
            c.setFont(FONT, 8)
            c.drawString(MARGIN, H - 44, header)
        c.setFont(FONT, SIZE)
        for op in ops:
            if op[0] == "text":
                c.drawString(op[1], op[2], op[3])
            elif op[0] == "line":
                c.setLineWidth(0.4)
                c.line(*op[1:])
            else:
                c.drawImage(_scan_image(op[1]), 0, 0, W, H)
        if footer:
            c.setFont(FONT, 8)
            c.drawCentredString(W / 2, 28, footer.format(n=first_number + k, m=len(pages)))
        c.showPage()
    c.save()


# ------------------------------------------------------------------ a meeting's papers

def front_sheet(m: Meeting, pages_of: dict[str, tuple[int, int]], supplement: tuple[str, str] | None = None) -> str:
    d, meta = m.when, m.meta
    ordinal = "th" if 10 <= d.day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    lines = ["Public Document Pack", meta["council"], meta["committee"],
             f"Date: {d:%A}, {d.day}{ordinal} {d:%B}, {d.year}", f"Time: {meta['time']}",
             f"Venue: {meta['venue']}", f"Membership: {meta.get('members', '')}", "",
             "Supplementary Agenda" if supplement else "Agenda", ""]
    items = [i for i in m.items if supplement is None or i[0] == supplement[0]]
    for num, title, under in items:
        pages = pages_of.get(num)
        lines.append(f"{num}. {title}" + (f" (Pages {pages[0]} - {pages[1]})" if pages else ""))
        if supplement:
            lines.append(supplement[1])
        elif under:
            lines.append(under)
        lines.append("")
    lines += ["", f"Contact: {meta.get('contact', 'Democratic Services')}"]
    return "\n".join(lines)


def write_meeting(m: Meeting, out: Path) -> list[Path]:
    folder = out / m.meta["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    stamp = m.stamp
    # the pack: each item's documents on their own pages, numbered from 1 after the front sheet
    pack_pages, stamps, pages_of, page = [], {}, {}, 1
    for num, _, _ in m.items:
        for doc in (d for d in m.docs if d.pack and d.item == num):
            p = Pages()
            p.add(doc.text, doc.hyphenate)
            stamps[len(pack_pages)] = f"Agenda Item {num}"
            start = page
            pack_pages += p.laid_out
            page += len(p.laid_out)
            pages_of[num] = (pages_of.get(num, (start,))[0], page - 1)
    front = Pages()
    front.add(front_sheet(m, pages_of))
    if m.meta.get("frontsheet") == "yes":
        written.append(folder / f"Agenda frontsheet {stamp}.pdf")
        render(written[-1], front.laid_out)
    if pack_pages:
        written.append(folder / "public_packs" / f"Public reports pack {stamp}.pdf")
        n_front = len(front.laid_out)
        _render_pack(written[-1], front.laid_out, pack_pages, {k + n_front: v for k, v in stamps.items()})
    for doc in m.docs:
        if not doc.file:
            continue
        name = doc.file.replace("{stamp}", stamp)
        p = Pages()
        if doc.supplement:  # its own front sheet, then the document under its item's stamp
            body = Pages()
            body.add(doc.text, doc.hyphenate)
            sheet = Pages()
            sheet.add(front_sheet(m, {doc.item: (1, len(body.laid_out))},
                                  (doc.item, "Published after the main agenda.")))
            written.append(folder / name)
            _render_pack(written[-1], sheet.laid_out, body.laid_out, {len(sheet.laid_out): f"Agenda Item {doc.item}"})
            continue
        p.add(doc.text, doc.hyphenate)
        written.append(folder / name)
        render(written[-1], p.laid_out, header=doc.header, footer="Page {n} of {m}")
    for src, dst in m.copies:
        shutil.copyfile(folder / src.replace("{stamp}", stamp), folder / dst.replace("{stamp}", stamp))
        written.append(folder / dst.replace("{stamp}", stamp))
    if "json" in m.meta:
        keys = [k.strip() for k in m.meta["json"].split(",")]
        (folder / "meeting.json").write_text(json.dumps({k: m.meta[k] for k in keys}, indent=1) + "\n")
    return written


def _render_pack(path: Path, front: list, body: list, stamps: dict[int, str]) -> None:
    """Front sheet pages unnumbered, then "Page 1", "Page 2" ... on the documents' pages."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pages = front + body
    numbered = [None] * len(front) + list(range(1, len(body) + 1))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for k, ops in enumerate(pages):
        if k in stamps:
            c.setFont("Helvetica-Bold", 11)
            c.drawRightString(W - MARGIN, H - 30, stamps[k])
        c.setFont(FONT, SIZE)
        for op in ops:
            if op[0] == "text":
                c.drawString(op[1], op[2], op[3])
            elif op[0] == "line":
                c.setLineWidth(0.4)
                c.line(*op[1:])
            else:
                c.drawImage(_scan_image(op[1]), 0, 0, W, H)
        if numbered[k] is not None:
            c.setFont(FONT, 8)
            c.drawCentredString(W / 2, 28, f"Page {numbered[k]}")
        c.showPage()
    c.save()


def generate(out: str | Path, small: bool = False) -> list[Path]:
    """Write the tree under ``out`` (the ``small: yes`` fixtures only, when ``small``)."""
    out = Path(out)
    written: list[Path] = []
    for f in sorted((HERE / "meetings").glob("*.txt")):
        m = read_fixture(f)
        if small and m.meta.get("small") != "yes":
            continue
        written += write_meeting(m, out)
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--small", action="store_true", help="only the meetings marked 'small: yes'")
    args = ap.parse_args(argv)
    files = generate(args.out, args.small)
    print(f"wrote {len(files)} files under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
