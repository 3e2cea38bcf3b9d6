"""The PDF reader on pages set the way council reports are: running headers and footers,
"Page N of M", words hyphenated at line ends, two columns, ruled tables.

The PDFs are real council text (corpus/) set by reportlab (tests/pdfgen.make_layout_pdf), which
also says what each page holds, so every expectation comes from how a PDF was built.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from indexer.parse.hyphens import joined_form, join_hyphens
from indexer.parse.sources import load_source, running_lines
from indexer.structure.trackers import find_tables
from tests.pdfgen import Layout, make_layout_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def paragraphs(name: str = "000_650dc6dc71139f49.txt", skip: int = 0, n: int = 60) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8").replace("**", "")
    out = []
    for block in re.split(r"\n[ \t]*\n", text):
        if "\t" in block or re.match(r"^\s*Page \d+\s*$", block):
            continue
        para = " ".join(block.split()).lstrip("#- ")
        if len(para.split()) >= 12:
            out.append(para)
    return out[skip:skip + n]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:[-'’][a-z0-9]+)*", text.lower())


def page_texts(src) -> list[str]:
    return [src.text[p.start:p.end] for p in src.pages]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """A report: running header, a banner at the top right, "Page N of M" from page 5, hyphens."""
    layout = Layout(header="Scrutiny Board - 9 January 2020", header_right="Appendix 2",
                    footer="Page {n} of {m}", hyphenate=True)
    path = tmp_path_factory.mktemp("report") / "report.pdf"
    truth = make_layout_pdf(path, paragraphs(n=40), layout, first_page_number=5)
    return truth, load_source(path)


def test_running_header_banner_and_page_n_of_m_leave_the_text(report) -> None:
    truth, src = report
    assert len(src.pages) == len(truth.body) >= 3
    m = 4 + len(src.pages)
    for k, (page, text) in enumerate(zip(src.pages, page_texts(src))):
        n = 5 + k
        assert "Scrutiny Board - 9 January 2020" not in text and "Appendix 2" not in text
        assert f"Page {n} of {m}" not in text
        # kept for dating, as printed: the header row (its two parts a tab apart), then the footer
        assert page.furniture == ("Scrutiny Board - 9 January 2020\tAppendix 2", f"Page {n} of {m}")
        assert (page.pdf_page, page.printed_page) == (k + 1, n)
    assert running_lines(src) == {"Scrutiny Board - 9 January 2020\tAppendix 2"}


def test_every_word_of_the_body_is_read_in_order(report) -> None:
    truth, src = report
    for body, text in zip(truth.body, page_texts(src)):
        assert words(text) == words(" ".join(body))


def test_hyphenated_line_ends_are_joined(report) -> None:
    truth, src = report
    soft = [w for page in truth.soft for w in page]
    assert len(soft) >= 5  # the layout did break words
    text = src.text
    for w in soft:
        assert re.search(rf"\b{w}\b", text), w
    assert not re.search(r"[a-z]-\n[a-z]", text)


def test_real_hyphens_stay() -> None:
    vocab: Counter = Counter()
    assert joined_form("recom", "mendation", vocab) == "recommendation"
    assert joined_form("organi", "sation", vocab) == "organisation"  # British, by its -ization form
    assert joined_form("well", "being", vocab) == "well-being"
    assert joined_form("co", "ordinate", vocab) == "co-ordinate"
    assert joined_form("decision", "making", vocab) == "decision-making"
    assert joined_form("Anglo", "Saxon", vocab) == "Anglo-Saxon"
    # the document's own spelling wins over the word list
    assert joined_form("co", "ordinate", Counter({"coordinate": 2})) == "coordinate"
    assert joined_form("sub", "committee", Counter({"sub-committee": 1})) == "sub-committee"
    lines = ["the recom-", "mendation was agreed for pre-", "and post-natal care and well-",
             "being.", "next"]
    assert join_hyphens(lines, vocab) == ["the recommendation", "was agreed for pre-",
                                          "and post-natal care and well-being.", "next"]


def test_compounds_broken_at_their_hyphen_keep_it(tmp_path: Path) -> None:
    text = ("The board discussed the long-term well-being of looked-after children and the "
            "decision-making of the multi-agency safeguarding hub in some detail. ") * 12
    truth = make_layout_pdf(tmp_path / "c.pdf", [text], Layout(footer=None))
    hard = {w.strip(".,") for page in truth.hard for w in page}
    assert hard  # some compound fell at a line end
    src = load_source(tmp_path / "c.pdf")
    assert words(src.text) == words(text)


@pytest.mark.parametrize("stream", ["reading", "rows"])
def test_two_columns_are_read_one_after_the_other(tmp_path: Path, stream: str) -> None:
    layout = Layout(columns=2, header="Cabinet - 13 March 2025", footer="{n}", stream=stream)
    truth = make_layout_pdf(tmp_path / "two.pdf", paragraphs(skip=10, n=30), layout)
    src = load_source(tmp_path / "two.pdf")
    assert len(src.pages) >= 2
    for k, (body, text, page) in enumerate(zip(truth.body, page_texts(src), src.pages)):
        assert words(text) == words(" ".join(body))
        assert page.printed_page == k + 1 and page.furniture == ("Cabinet - 13 March 2025", str(k + 1))


def test_ruled_tables_become_rows_with_their_column_names(tmp_path: Path) -> None:
    rows = [("Library", "Visitors", "Issues", "Membership"),
            ("Central", "356,583", "221,054", "25,780"),
            ("Bell Green", "137,703", "43,588", "3,718"),
            ("Partnership libraries (those run with community groups)", "20,193", "14,825", "1,203")]
    paras = paragraphs(n=6)
    truth = make_layout_pdf(tmp_path / "t.pdf", [*paras[:2], rows, *paras[2:]],
                            Layout(footer="Page {n} of {m}"))
    src = load_source(tmp_path / "t.pdf")
    text = page_texts(src)[0]
    assert truth.tables[0] == [rows]
    lines = text.split("\n")
    got = [tuple(ln.split("\t")) for ln in lines if "\t" in ln]
    assert got == rows  # the cell that wraps onto two lines is one cell
    tables = find_tables(src.text, (0, len(src.text)))
    assert [t.header for t in tables] == [rows[0]]
    assert [r.cells for r in tables[0].rows] == rows[1:]
    # the prose around the table is still there, before and after it, in order
    before, after = text.split("\t".join(rows[0]))[0], text.split("\t".join(rows[-1]))[1]
    assert words(before) == words(" ".join(paras[:2]))
    assert words(after)[:5] == words(paras[2])[:5]


@pytest.mark.parametrize("rotation, angle", [(90, 90), (270, -90)])
def test_a_landscape_page_set_sideways_reads_line_by_line(tmp_path: Path, rotation: int, angle: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    width, height = A4
    origin = (100, 60) if angle == 90 else (width - 100, height - 60)
    rows = [f"row {i} of the landscape work programme" for i in range(6)]
    c = canvas.Canvas(str(tmp_path / "landscape.pdf"), pagesize=A4)
    c.setPageRotation(rotation)
    c.translate(*origin)
    c.rotate(angle)  # the text runs along the page's long side, as a landscape table does
    for i, row in enumerate(rows):
        c.drawString(0, -i * 13, row)
    c.drawString(300, -400, "Page 7")
    c.showPage()
    c.save()
    src = load_source(tmp_path / "landscape.pdf")
    assert src.text.split("\n") == rows
    assert src.pages[0].printed_page == 7


def test_a_pdf_table_reaches_the_document_and_its_passages_with_its_column_names(tmp_path: Path) -> None:
    from indexer.chunk.chunker import chunk_source
    from indexer.structure.reader import parse_path

    rows = [("Library", "Visitors", "Issues"), ("Central", "356,583", "221,054"),
            ("Bell Green", "137,703", "43,588"), ("Foleshill", "106,252", "54,489")]
    folder = tmp_path / "Scrutiny Board 2" / "2020-01-09"
    folder.mkdir(parents=True)
    paras = paragraphs(n=3)
    make_layout_pdf(folder / "Libraries Update.pdf", [paras[0], rows, *paras[1:]], Layout(footer="Page {n}"))
    ps = parse_path(folder)
    (doc,) = ps.documents
    assert [(t.header, [r.cells for r in t.rows]) for t in doc.tables] == [(rows[0], rows[1:])]
    chunks = chunk_source(ps, max_words=60, overlap_words=0)
    with_table = [c for c in chunks if "Bell Green\t137,703\t43,588" in c.text]
    assert with_table and "Library | Visitors | Issues" in with_table[0].header
