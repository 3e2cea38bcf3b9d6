"""The reader on PDFs generated from corpus text: a whole agenda pack, and a meeting folder
holding one PDF per document as downloaded from a ModernGov site.

Every page carries a running header; numbered pages carry a "Page N" footer. The printed
numbers differ from the PDF page numbers (the front sheet is unnumbered and the first
numbered page is "Page 3"), so the tests can tell the two apart. Expected page numbers
come from how the PDFs were built, not from the reader.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

import pytest
from pypdf import PdfWriter

from indexer.common.errors import ParseError
from indexer.common.models import ParsedSource
from indexer.structure.reader import parse_path
from tests.pdfgen import WRAP, make_pdf

CORPUS_PACK = Path(__file__).resolve().parents[2] / "corpus" / "000_650dc6dc71139f49.txt"
HEADER = "Education and Children's Services Scrutiny Board (2) - 9 January 2020"
SLUG = "education-and-childrens-services-scrutiny-board-2"
PACK_MEETING = f"{SLUG}/2020-01-09"
MINUTES_MEETING = f"{SLUG}/2019-11-28"
LINES_PER_PAGE = 44


def _section(text: str, begins: str, ends: str | None) -> str:
    start = text.index(begins)
    stop = text.index(ends, start) + len(ends) if ends else len(text)
    return text[start:stop]


def corpus_documents() -> dict[str, str]:
    """The 2020-01-09 pack's documents, as printed text (no markdown bold markers)."""
    text = CORPUS_PACK.read_text(encoding="utf-8").replace("**", "")
    return {
        # the front sheet up to its notes, so that it fits on one (unnumbered) page
        "front": _section(text, "Education and Children's Services Scrutiny Board (2)\n\nTime and Date",
                          "Friday, 20 December 2019"),
        "minutes": _section(text, "Coventry City Council\nMinutes of the Meeting", "(Meeting closed at 12.40 pm)"),
        "libraries": _section(text, "Briefing note\n\nTo: Education", "18th December 2019."),
        "appendix": _section(text, "Appendix A\n\nLibrary Performance", "increase of 24,687"),
        "early_help": _section(text, "Coventry City Council\n\nBriefing note\n\nTo: The Education",
                               "Contact Details: Rebecca.Wilshire@coventry.gov.uk"),
        "work_programme": _section(text, "Please see page 2 onwards", None),
    }


def paginate(text: str, per_page: int = LINES_PER_PAGE) -> list[str]:
    """Split a document into pages that fit, breaking between paragraphs where possible."""
    pages: list[list[str]] = [[]]
    used = 0
    for para in text.split("\n"):
        chunks = textwrap.wrap(para, WRAP) or [""]
        while chunks:
            room = per_page - used
            if room <= 0:
                pages.append([])
                used, room = 0, per_page
            take = chunks[:room]
            pages[-1].append(" ".join(take) if len(take) == len(chunks) else "\n".join(take))
            used += len(take)
            chunks = chunks[room:]
    return ["\n".join(p) for p in pages]


@dataclass
class Built:
    path: Path
    pdf_pages: dict[str, tuple[int, int]]  # document -> first and last PDF page
    printed: dict[str, tuple[int | None, int | None]]
    pages: list[str]  # the text drawn on each PDF page (body only)


def build_pack(path: Path, docs: dict[str, str]) -> Built:
    """An unnumbered front sheet, then every other document from "Page 3" on, each on new pages."""
    front = paginate(docs["front"])
    rest: list[str] = []
    pdf_pages = {"front": (1, len(front))}
    for name in ("minutes", "libraries", "appendix", "early_help", "work_programme"):
        pages = paginate(docs[name])
        first = len(front) + len(rest) + 1
        rest += pages
        pdf_pages[name] = (first, first + len(pages) - 1)
    first_printed = 3
    printed = {"front": (None, None)}
    for name, (a, b) in pdf_pages.items():
        if name != "front":
            offset = first_printed - (len(front) + 1)
            printed[name] = (a + offset, b + offset)
    a = make_pdf(path.with_suffix(".front.pdf"), front, footer=None, header=HEADER)
    b = make_pdf(path.with_suffix(".rest.pdf"), rest, header=HEADER, first_page_number=first_printed)
    writer = PdfWriter()
    for part in (a, b):
        writer.append(str(part))
    writer.write(str(path))
    a.unlink()
    b.unlink()
    return Built(path, pdf_pages, printed, front + rest)


@pytest.fixture(scope="module")
def docs() -> dict[str, str]:
    return corpus_documents()


@pytest.fixture(scope="module")
def pack(tmp_path_factory, docs) -> tuple[Built, ParsedSource]:
    built = build_pack(tmp_path_factory.mktemp("pdf-pack") / "pack.pdf", docs)
    return built, parse_path(built.path)


def by_title(ps: ParsedSource, kind: str) -> dict[str, object]:
    return {(it.number or it.title): it for it in ps.items if it.kind == kind}


# ---------------------------------------------------------------- a whole pack in one PDF

def test_pack_pdf_has_more_than_one_page_per_document(pack) -> None:
    built, ps = pack
    assert built.pdf_pages["minutes"][1] > built.pdf_pages["minutes"][0]
    assert built.pdf_pages["libraries"][1] > built.pdf_pages["libraries"][0]
    assert [p.pdf_page for p in ps.sources[0].pages] == list(range(1, len(built.pages) + 1))


def test_pack_pdf_meetings(pack) -> None:
    _, ps = pack
    meetings = {m.id: m for m in ps.meetings}
    assert sorted(meetings) == [MINUTES_MEETING, PACK_MEETING]
    m = meetings[PACK_MEETING]
    assert (m.committee, m.date, m.start_time, m.place) == (
        "Education and Children's Services Scrutiny Board (2)", date(2020, 1, 9), time(10, 0),
        "Committee Room 3 - Council House")
    assert meetings[MINUTES_MEETING].start_time == time(10, 0)


def test_pack_pdf_minutes_are_items_with_their_printed_pages(pack) -> None:
    built, ps = pack
    minutes = by_title(ps, "minute")
    assert [(n, minutes[n].title) for n in sorted((n for n in minutes if n.isdigit()), key=int)] == [
        ("23", "Declarations of Interests"), ("24", "Minutes"), ("25", "Children's Services Improvement"),
        ("26", "Early Years"),
        ("27", "Post 16 Transitions and Young People who are not participating in Education, "
               "Employment and Training (NEET)"),
        ("28", "Work Programme"), ("29", "Any Other Business")]
    assert [r.text.split()[0] for r in minutes["25"].resolutions] == ["acknowledge", "recommend", "request"]

    def printed_page_of(phrase: str) -> int:
        pdf_page = next(k for k, page in enumerate(built.pages, start=1) if phrase in page.replace("\n", " "))
        return pdf_page - built.pdf_pages["minutes"][0] + built.printed["minutes"][0]

    m25 = minutes["25"]
    assert (m25.page_start, m25.page_end) == (printed_page_of("The Scrutiny Board considered a briefing note of "
                                                              "the Deputy Chief Executive (People) which provided an update on progress"),
                                              printed_page_of("request a six-month update"))
    assert minutes["23"].page_start == built.printed["minutes"][0]
    text = ps.sources[0].text
    for it in ps.items:
        assert text[it.span[0]:it.span[1]] == it.body


def test_pack_pdf_documents_carry_printed_and_pdf_pages(pack) -> None:
    built, ps = pack
    docs = {d.doc_type if d.doc_type in ("agenda", "minutes", "work_programme") else d.title: d
            for d in ps.documents}
    expect = {"agenda": "front", "minutes": "minutes", "Libraries Update": "libraries",
              "Appendix A": "appendix", "Update on Early Help and Family Hubs": "early_help",
              "work_programme": "work_programme"}
    assert sorted(docs) == sorted(expect)
    for key, name in expect.items():
        d = docs[key]
        assert (d.pdf_page_start, d.pdf_page_end) == built.pdf_pages[name], key
        if name == "front":
            assert (d.page_start, d.page_end) == (None, None)  # the front sheet is unnumbered
        else:
            assert (d.page_start, d.page_end) == built.printed[name], key
            assert d.page_start == d.pdf_page_start + 1


def test_pack_pdf_documents_start_at_the_top_of_their_first_page(pack) -> None:
    _, ps = pack
    src = ps.sources[0]
    starts = {p.start for p in src.pages}
    for d in ps.documents:
        assert d.span[0] in starts, d.title
        assert HEADER not in src.text[d.span[0] + len(HEADER):d.span[1]].split("\n")[0]
    spans = sorted(d.span for d in ps.documents)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_pack_pdf_reports_are_attached_to_their_agenda_items(pack) -> None:
    _, ps = pack
    docs = {d.id: d for d in ps.documents}
    items = by_title(ps, "agenda")
    attached = {n: [(docs[d].doc_type, docs[d].title) for d in items[n].document_ids] for n in "345678"}
    assert attached == {
        "3": [("minutes", "Minutes of the meeting held on 2019-11-28")],
        "4": [("report", "Libraries Update"), ("appendix", "Appendix A")],
        "5": [("report", "Update on Early Help and Family Hubs")],
        "6": [],
        "7": [("work_programme", "Work Programme")],
        "8": [],
    }
    assert (items["4"].page_start, items["4"].page_end) == (9, 14)  # as the front sheet lists it
    assert items["4"].body.split("\n")[0] == "Briefing note"  # the cover: the running header is furniture
    assert HEADER not in ps.sources[0].text
    titles = {d.title for d in ps.documents}
    assert not any(t.startswith(("Page ", HEADER)) for t in titles)


# ---------------------------------------------------------------- a folder, one PDF per document

def build_folder(folder: Path, docs: dict[str, str], *, front: str | None = None, full: bool = True) -> Path:
    """A ModernGov download: front sheet, printed minutes, a report and its appendix, a second report.

    ``full=False`` keeps the front sheet and the minutes only (quicker, for metadata tests).
    """
    folder.mkdir(parents=True)
    make_pdf(folder / "01 Agenda frontsheet.pdf", paginate(front or docs["front"]), footer=None)
    make_pdf(folder / "02 Minutes of the previous meeting.pdf", paginate(docs["minutes"]),
             header="Minutes - 28 November 2019")
    if not full:
        return folder
    make_pdf(folder / "03 Libraries Update.pdf", paginate(docs["libraries"]))
    appendix = docs["appendix"].replace("Appendix A\n\n", "")  # a heading only in the file name
    make_pdf(folder / "04 Appendix A.pdf", paginate(appendix, per_page=18),
             header="Coventry Libraries and Information Service")
    make_pdf(folder / "05 Early Help and Family Hubs.pdf", paginate(docs["early_help"]))
    return folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory, docs) -> Path:
    root = tmp_path_factory.mktemp("moderngov")
    return build_folder(root / "Education and Childrens Services Scrutiny Board 2" / "2020-01-09", docs)


def test_folder_documents_are_attached_to_their_agenda_items(folder) -> None:
    ps = parse_path(folder)
    assert [m.id for m in ps.meetings] == [MINUTES_MEETING, PACK_MEETING]
    docs = {d.id: d for d in ps.documents}
    items = by_title(ps, "agenda")
    attached = {n: [(docs[d].doc_type, docs[d].path, docs[d].title) for d in items[n].document_ids]
                for n in "345"}
    assert attached == {
        "3": [("minutes", "02 Minutes of the previous meeting.pdf", "Minutes of the meeting held on 2019-11-28")],
        "4": [("report", "03 Libraries Update.pdf", "Libraries Update"),
              ("appendix", "04 Appendix A.pdf", "Library Performance 2018-2019")],
        "5": [("report", "05 Early Help and Family Hubs.pdf", "Update on Early Help and Family Hubs")],
    }
    assert not [it for it in ps.items if "/doc-" in it.id]  # every file found its agenda item
    minutes = by_title(ps, "minute")
    assert sorted((n for n in minutes if n.isdigit()), key=int) == [str(n) for n in range(23, 30)]
    for d in ps.documents:  # each file is one document, from its first page to its last
        src = ps.source_for(d.path)
        assert (d.pdf_page_start, d.pdf_page_end) == (1, len(src.pages))
        if d.doc_type != "agenda":
            assert (d.page_start, d.page_end) == (1, len(src.pages))
    for it in ps.items:
        assert ps.source_for(it.path).text[it.span[0]:it.span[1]] == it.body


def test_meeting_json_overrides_the_text_and_the_folder(tmp_path, docs) -> None:
    folder = build_folder(tmp_path / "Scrutiny Board 2" / "2020-01-09", docs, full=False)
    (folder / "meeting.json").write_text(json.dumps({
        "committee": "Scrutiny Board (2)", "date": "2020-01-16", "start_time": "2.00 pm",
        "place": "Online", "council": "Coventry City Council"}))
    ps = parse_path(folder)
    m = next(m for m in ps.meetings if m.id == "scrutiny-board-2/2020-01-16")
    assert (m.committee, m.date, m.start_time, m.place) == ("Scrutiny Board (2)", date(2020, 1, 16),
                                                           time(14, 0), "Online")
    minutes = next(d for d in ps.documents if d.doc_type == "minutes")
    assert (minutes.meeting_id, minutes.published_for) == ("scrutiny-board-2/2019-11-28", m.id)


def test_invalid_meeting_json_names_the_file(tmp_path, docs) -> None:
    folder = build_folder(tmp_path / "board" / "2020-01-09", docs, full=False)
    (folder / "meeting.json").write_text('{"date": "9 January"}')
    with pytest.raises(ParseError) as info:
        parse_path(folder)
    assert info.value.path.endswith("meeting.json") and "invalid meeting.json" in info.value.reason


def test_folder_date_is_the_fallback_when_the_text_has_none(tmp_path, docs) -> None:
    undated = docs["front"].replace("10.00 am on Thursday, 9th January, 2020", "10.00 am")
    folder = build_folder(tmp_path / "Scrutiny Board 2" / "2020-01-09", docs, front=undated, full=False)
    ps = parse_path(folder)
    pack = next(m for m in ps.meetings if m.date == date(2020, 1, 9))
    assert pack.id == PACK_MEETING  # the committee still comes from the front sheet
    assert (pack.start_time, pack.place) == (time(10, 0), "Committee Room 3 - Council House")
    assert [d.doc_type for d in ps.documents if d.published_for == PACK_MEETING][:2] == ["agenda", "minutes"]


def test_the_text_wins_over_the_folder_path(tmp_path, docs) -> None:
    folder = build_folder(tmp_path / "Some Other Board" / "2020-02-02", docs, full=False)
    assert [m.id for m in parse_path(folder).meetings] == [MINUTES_MEETING, PACK_MEETING]


def test_a_report_alone_with_no_meeting_is_an_error_naming_the_file(tmp_path, docs) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    make_pdf(folder / "Libraries Update.pdf", paginate(docs["libraries"]))
    with pytest.raises(ParseError) as info:
        parse_path(folder)
    assert info.value.path == "Libraries Update.pdf"
    assert info.value.reason.startswith("no recognisable meeting")
    with pytest.raises(ParseError) as info:
        parse_path(folder / "Libraries Update.pdf", root=tmp_path)
    assert info.value.path == "downloads/Libraries Update.pdf"


def test_a_report_alone_in_a_dated_folder_belongs_to_that_meeting(tmp_path, docs) -> None:
    folder = tmp_path / "Scrutiny Board 2" / "2020-01-09"
    folder.mkdir(parents=True)
    make_pdf(folder / "Libraries Update.pdf", paginate(docs["libraries"]))
    ps = parse_path(folder)
    assert [m.id for m in ps.meetings] == ["scrutiny-board-2/2020-01-09"]
    (doc,) = ps.documents
    assert (doc.doc_type, doc.title, doc.meeting_id) == ("report", "Libraries Update", "scrutiny-board-2/2020-01-09")


def test_a_file_without_any_cover_is_still_one_document(tmp_path, docs) -> None:
    folder = tmp_path / "Scrutiny Board 2" / "2020-01-09"
    folder.mkdir(parents=True)
    make_pdf(folder / "01 Agenda.pdf", paginate(docs["front"]), footer=None)
    body = "Library opening hours\n" + "\n".join(f"Branch {n} opens at nine on weekdays." for n in range(120))
    make_pdf(folder / "02 Libraries Update.pdf", paginate(body), header="Libraries")
    ps = parse_path(folder)
    item = by_title(ps, "agenda")["4"]
    (doc,) = (d for d in ps.documents if d.id in item.document_ids)
    src = ps.source_for(doc.path)
    assert (doc.doc_type, doc.title) == ("report", "Library opening hours")
    assert doc.span == (0, len(src.text))
