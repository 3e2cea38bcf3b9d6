"""The reader on the five Coventry packs in corpus/.

Every expected value here was read off the pack text by hand (front sheets, minutes
headings, "N. Title" lines, RESOLVED blocks, report covers), not taken from the reader.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from indexer.common.models import Document, Item, ParsedSource
from indexer.structure.reader import parse_path

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
COMMITTEE = "Education and Children's Services Scrutiny Board (2)"
SLUG = "education-and-childrens-services-scrutiny-board-2"
ROOM = "Committee Room 3 - Council House"

PACKS = {  # file -> (meeting of its front sheet or None, meeting its minutes record)
    "000_650dc6dc71139f49.txt": ("2020-01-09", "2019-11-28"),
    "001_6f27b3d09969eef2.txt": ("2017-09-14", "2017-07-13"),
    "002_cb9832beb3f55941.txt": (None, "2023-03-16"),
    "003_d0687473803f8b33.txt": ("2021-03-11", "2021-01-28"),
    "004_c5496f9693e9c252.txt": ("2017-04-27", "2017-04-06"),
}

# date -> (start time, place as printed or None)
MEETINGS = {
    "2017-04-06": (time(14, 0), None),
    "2017-04-27": (time(14, 0), ROOM),
    "2017-07-13": (time(10, 0), None),
    "2017-09-14": (time(14, 0), ROOM),
    "2019-11-28": (time(10, 0), None),
    "2020-01-09": (time(10, 0), ROOM),
    "2021-01-28": (time(11, 0), None),
    "2021-03-11": (time(10, 0), "This meeting will be held remotely. The meeting can be viewed live "
                                "by posting this link into your browser"),
    "2023-03-16": (time(15, 0), None),
}

MINUTES = {
    "2017-04-06": [
        ("71", "Declarations of Interests"), ("72", "Minutes"), ("73", "Health Visiting and Early Help"),
        ("74", "Quality Assurance and Audit Framework"), ("75", "Further Education Colleges"),
        ("76", "Outstanding Issues"), ("77", "Work Programme"), ("78", "Any Other Business"),
    ],
    "2017-07-13": [
        ("5", "Declarations of Interests"), ("6", "Minutes"), ("7", "Support to Young Carers"),
        ("8", "Improvement Board"), ("9", "Work Programme"), ("10", "Any Other Business"),
    ],
    "2019-11-28": [
        ("23", "Declarations of Interests"), ("24", "Minutes"), ("25", "Children's Services Improvement"),
        ("26", "Early Years"),
        ("27", "Post 16 Transitions and Young People who are not participating in Education, "
               "Employment and Training (NEET)"),
        ("28", "Work Programme"), ("29", "Any Other Business"),
    ],
    "2021-01-28": [
        ("13", "Declarations of Interests"), ("14", "Minutes"), ("15", "The Impact of Covid-19 on Schools"),
        ("16", "Children's Services Continuous Improvement Progress and Covid Update"),
        ("17", "Work Programme"), ("18", "Any Other Business"),
    ],
    "2023-03-16": [
        ("25", "Declarations of Interests"), ("26", "Minutes"), ("27", "Early Years Strategy"),
        ("28", "Children's Services Development Plan (Ofsted actions)"),
        ("29", "Work Programme and Outstanding Issues"), ("30", "Any Other Business"),
    ],
}

_OPENING = [("1", "Apologies and Substitutions", None), ("2", "Declarations of Interests", None)]
AGENDA = {  # pack meeting -> [(number, title, printed pages)]
    "2020-01-09": _OPENING + [
        ("3", "Minutes", (3, 8)), ("4", "Libraries Update", (9, 14)),
        ("5", "Update on Early Help and Family Hubs", (15, 20)),
        ("6", "Children's Services Improvement", (21, 24)), ("7", "Work Programme", (25, 28)),
        ("8", "Any Other Business", None),
    ],
    "2017-09-14": _OPENING + [
        ("3", "Minutes", (3, 8)),
        ("4", "Coventry Local Safeguarding Children Board (LSCB) Interim Annual Report - "
              "September 2016- March 2017", (9, 64)),
        ("5", "Children's Services Redesign", (65, 98)), ("6", "Outstanding Issues", (99, 100)),
        ("7", "Work Programme", (101, 104)), ("8", "Any Other Business", None),
    ],
    "2021-03-11": _OPENING + [
        ("3", "Minutes", (3, 10)),
        ("4", "Children's Services Impact of COVID-19 Pandemic - Vulnerability and Disadvantage", (11, 18)),
        ("5", "Children's Services Continuous Improvement Progress", (19, 22)),
        ("6", "Strengthening Families - Family Valued Programme", (23, 32)),
        ("7", "Work Programme", (33, 36)), ("8", "Any Other Business", None),
    ],
    "2017-04-27": _OPENING + [
        ("3", "Minutes", (3, 6)), ("4", "One Strategic Plan for School Organisation", (7, 14)),
        ("5", "Improving Quality and Performance of Social Workers", (15, 18)),
        ("6", "Commissioned Children's Services", (19, 24)), ("7", "Improvement Board", (25, 26)),
        ("8", "Outstanding Issues", (27, 30)), ("9", "Work Programme", (31, 38)),
        ("10", "Any Other Business", None),
    ],
}

# pack meeting -> item number -> [(doc_type, how the document's text begins, how it ends)]
ATTACHED = {
    "2020-01-09": {
        "3": [("minutes", "Coventry City Council\nMinutes of the Meeting", "(Meeting closed at 12.40 pm)")],
        "4": [("report", "Briefing note\n\nTo: Education", "18th December 2019."),
              ("appendix", "Appendix A\n\nLibrary Performance 2018-2019", "showing an increase of 24,687")],
        "5": [("report", "Coventry City Council\n\nBriefing note\n\nTo: The Education",
               "Contact Details: Rebecca.Wilshire@coventry.gov.uk")],
        "6": [("report", "To: Education and Children's Services Scrutiny Board (2)\n\n9 January 2020",
               "sonia.watson@coventry.gov.uk Tel: (024) 7683 1890")],
        "7": [("work_programme", "Please see page 2 onwards", "John Gregg Cllr Seaman")],
    },
    "2017-09-14": {
        "3": [("minutes", "Coventry City Council\nMinutes of the Meeting", "(Meeting closed at 12.00 pm)")],
        "4": [("report", "Coventry City Council\n\nBriefing note", "Appendices\n\nLSCB Annual Report"),
              ("appendix", "Foreword\n\nPage 12", "Appendices"),
              ("appendix", "Appendix 1: Multi-agency training statistics", "Total\t191\t100%"),
              ("appendix", "Appendix 2: Coventry LSCB board membership and attendance",
               "responsive and flexible to changes locally and nationally.")],
        "5": [("report", "Coventry City Council\n\nBriefing note", "shared with the trade unions."),
              ("appendix", "Appendix 1 – Presentation", "Thank you\nAny questions?")],
        "6": [("outstanding_issues", "Coventry City Council\n\nBriefing note", "024 7683 1172"),
              ("outstanding_issues", "Appendix 1 - Outstanding Issues",
               "the action plan to be automatically considered at SB2")],
        "7": [("work_programme", "Please see page 2 onwards", "Kirston Nelson Cllr Maton")],
    },
    "2021-03-11": {
        "3": [("minutes", "Coventry City Council\nMinutes of the Meeting", "(Meeting closed at 12.50 pm)")],
        "4": [("report", "Coventry City Council\n\nBriefing note", "sonia.watson@coventry.gov.uk Tel: (024) 76971402")],
        "5": [("report", "Coventry City Council\n\nBriefing note", "sonia.watson@coventry.gov.uk Tel: (02476) 971402")],
        "6": [("report", "Cabinet\nEducation and Children's Services Scrutiny Board (2)\nCouncil",
               "www.coventry.gov.uk/meetings")],
        "7": [("work_programme", "Please see page 2 onwards", "Anna Hargraves, South Warwickshire CCG")],
    },
    "2017-04-27": {
        "3": [("minutes", "Coventry City Council\nMinutes of the Meeting", "(Meeting closed at 4.00 pm)")],
        "4": [("report", "Coventry City Council\n\nBriefing note", "E-mail: Kirston.Nelson@coventry.gov.uk"),
              ("appendix", "Primary Partnership School Improvement — structure and organisation", "Castle Wood"),
              ("appendix", "Secondary Partnership School Improvement – structure and organisation",
               "Secondary Partnership School Improvement – structure and organisation"),
              ("appendix", "Partnership commitment between the City Council", "Date.....")],
        "5": [("report", "Coventry City Council\n\nBriefing note", "Tel: (024) 7678 7375")],
        "6": [("report", "Coventry City Council\n\nBriefing note", "Date: 12 April 2017")],
        "7": [("report", "Coventry City Council\n\nBriefing note", "gennie.holmes@coventry.gov.uk")],
        "8": [("outstanding_issues", "Coventry City Council\n\nBriefing note", "024 7683 1172"),
              ("outstanding_issues", "Appendix 1 - Outstanding Issues", "City College and Henley College")],
        "9": [("work_programme", "Education and Children's Services (2)\n\nScrutiny Work Programme 2016/17",
               "Kirston Nelson Cllr Maton")],
    },
}

REPORT_TITLES = {  # each cover's "Subject:" as printed, per pack meeting and item
    "2020-01-09": {"4": "Libraries Update", "5": "Update on Early Help and Family Hubs",
                   "6": "Children's Services Improvement"},
    "2017-09-14": {"4": "Coventry Local Safeguarding Board Interim Annual Report",
                   "5": "Children's Services Redesign", "6": "Outstanding Issues Report"},
    "2021-03-11": {"4": "Children's Services Impact of COVID-19 pandemic – Vulnerability and Disadvantage",
                   "5": "Children's Services Continuous Improvement Progress",
                   "6": "Strengthening Families – Family Valued Programme"},
    "2017-04-27": {"4": "One Strategic Plan for School Organisation",
                   "5": "Improving the Quality and Performance of Social Workers",
                   "6": "Commissioned Services for Children and Young People",
                   "7": "Improvement Board 19th April 2017", "8": "Outstanding Issues Report"},
}

RESOLVED = {  # meeting -> minute -> first words of each numbered point
    "2019-11-28": {
        "23": [], "24": [], "28": [], "29": [],
        "25": ["acknowledge progress and congratulate", "recommend that the Cabinet Member",
               "request a six-month update"],
        "26": ["Acknowledge the progress in early years", "Request a map with providers"],
        "27": ["thank the college and the students", "thank Karen Allen and Prospects",
               "request further data about qualifications"],
    },
    "2017-07-13": {
        "5": [], "6": [], "10": [],
        "7": ["The Scrutiny Board note the report", "The Scrutiny Board make the following recommendations",
              "The key messages about ways people can help", "A Young Carer report back"],
        "8": ["The Scrutiny Board request that redesign", "The redesign of children's services consultation",
              "The Chair of the Board and the Cabinet Member"],
        "9": ["The following be considered further", "Further consideration be given to an item",
              "Further consideration be given about whether"],
    },
}


def mid(day: str) -> str:
    return f"{SLUG}/{day}"


@pytest.fixture(scope="module")
def packs() -> dict[str, ParsedSource]:
    return {name: parse_path(CORPUS / name) for name in PACKS}


@pytest.fixture(scope="module")
def items(packs) -> dict[str, Item]:
    return {it.id: it for ps in packs.values() for it in ps.items}


@pytest.fixture(scope="module")
def docs(packs) -> dict[str, Document]:
    return {d.id: d for ps in packs.values() for d in ps.documents}


def text_of(ps: ParsedSource, obj) -> str:
    return ps.source_for(obj.path).text[obj.span[0]:obj.span[1]]


@pytest.mark.parametrize("name", sorted(PACKS))
def test_each_pack_holds_its_two_meetings(packs, name) -> None:
    front, recorded = PACKS[name]
    ps = packs[name]
    assert sorted(m.date.isoformat() for m in ps.meetings) == sorted(d for d in (front, recorded) if d)
    minutes = [d for d in ps.documents if d.doc_type == "minutes"]
    assert [(d.meeting_id, d.published_for) for d in minutes] == [(mid(recorded), mid(front or recorded))]
    agenda = [d for d in ps.documents if d.doc_type == "agenda"]
    assert [d.meeting_id for d in agenda] == ([mid(front)] if front else [])


def test_nine_meetings_with_times_and_places(packs) -> None:
    found = {m.id: m for ps in packs.values() for m in ps.meetings}
    assert sorted(found) == [mid(d) for d in sorted(MEETINGS)]
    for day, (start, place) in MEETINGS.items():
        m = found[mid(day)]
        assert (m.committee, m.council, m.date) == (COMMITTEE, "Coventry City Council", date.fromisoformat(day))
        assert (m.start_time, m.place) == (start, place), day


@pytest.mark.parametrize("day", sorted(MINUTES))
def test_every_numbered_minute_is_an_item(items, day) -> None:
    minutes = sorted((it for it in items.values()
                      if it.meeting_id == mid(day) and it.kind == "minute" and it.number is not None),
                     key=lambda it: it.order)
    assert [(it.number, it.title) for it in minutes] == MINUTES[day]
    assert [it.id for it in minutes] == [f"{mid(day)}/minute-{n}" for n, _ in MINUTES[day]]
    for it, nxt in zip(minutes, minutes[1:]):
        assert f"{nxt.number}. " not in it.body  # a body stops before the next minute
        assert it.span[1] < nxt.span[0]


@pytest.mark.parametrize("day", sorted(AGENDA))
def test_agenda_items_with_printed_page_ranges(items, day) -> None:
    agenda = sorted((it for it in items.values() if it.meeting_id == mid(day) and it.kind == "agenda"
                     and it.number is not None), key=lambda it: it.order)
    got = [(it.number, it.title, (it.page_start, it.page_end) if it.page_start else None) for it in agenda]
    assert got == AGENDA[day]
    front = items[f"{mid(day)}/agenda"]
    assert (front.page_start, front.page_end) == (1, 2)  # the first listed item starts on page 3


@pytest.mark.parametrize("day", sorted(ATTACHED))
def test_reports_are_attached_to_their_agenda_items(packs, items, docs, day) -> None:
    ps = next(p for p in packs.values() if any(m.id == mid(day) and p.documents and
                                                 p.documents[0].meeting_id == mid(day) for m in p.meetings))
    for number, expected in ATTACHED[day].items():
        item = items[f"{mid(day)}/item-{number}"]
        attached = [docs[d] for d in item.document_ids]
        assert [d.doc_type for d in attached] == [t for t, _, _ in expected], (day, number)
        for d, (_, begins, ends) in zip(attached, expected):
            body = text_of(ps, d)
            assert body.startswith(begins), (day, number, body[:80])
            assert body.endswith(ends), (day, number, body[-80:])
            assert d.published_for == mid(day)
            if d.doc_type != "minutes":
                assert d.meeting_id == mid(day)
                lo, hi = dict((n, p) for n, _, p in AGENDA[day])[number]
                assert lo <= d.page_start <= d.page_end <= hi
    unattached = [it for it in items.values() if it.meeting_id == mid(day) and "/doc-" in it.id]
    assert unattached == []
    for number in ("1", "2", AGENDA[day][-1][0]):  # apologies, declarations, any other business
        assert items[f"{mid(day)}/item-{number}"].document_ids == ()


@pytest.mark.parametrize("day", sorted(REPORT_TITLES))
def test_each_cover_subject_is_the_title_of_the_item_s_first_report(items, docs, day) -> None:
    for number, subject in REPORT_TITLES[day].items():
        first = docs[items[f"{mid(day)}/item-{number}"].document_ids[0]]
        assert first.title == subject


def test_report_authors_from_the_front_sheet_or_the_report(items, docs) -> None:
    libraries = docs[items[f"{mid('2020-01-09')}/item-4"].document_ids[0]]
    assert libraries.author == "Briefing Note of the Deputy Chief Executive (People)"
    improvement = docs[items[f"{mid('2020-01-09')}/item-6"].document_ids[0]]
    assert improvement.author == "Sonia Watson, Children's Services Programme Manager"


def test_libraries_update_holds_the_note_and_its_appendix_a_table(packs, items, docs) -> None:
    item = items[f"{mid('2020-01-09')}/item-4"]
    note, appendix = (docs[d] for d in item.document_ids)
    assert item.body.startswith("Briefing note\n\nTo: Education and Children's Services Scrutiny Board (2)")
    assert "Subject: Libraries Update" in item.body and item.span == note.span
    table = appendix.tables[0]
    assert table.header == ("", "Visitors", "Issues", "Membership", "ICT Hours", "ICT Sessions")
    rows = {r.cells[0]: r.cells for r in table.rows}
    assert rows["Central"] == ("Central", "356,583", "221,054", "25,780", "155,989", "311,034")
    assert rows["TOTAL 2018-19"] == ("TOTAL 2018-19", "1,243,113", "709,856", "65,441", "284,499", "516,573")
    assert len(table.rows) == 24
    text = packs["000_650dc6dc71139f49.txt"].sources[0].text
    for r in table.rows:
        assert text[r.span[0]:r.span[1]].split("\t")[0] == r.cells[0]


def test_outstanding_issues_keep_the_13th_july_rows(items, docs) -> None:
    note, tracker = (docs[d] for d in items[f"{mid('2017-09-14')}/item-6"].document_ids)
    assert note.title == "Outstanding Issues Report" and note.author == "Briefing Note of the Scrutiny Co-ordinator"
    (table,) = tracker.tables
    assert table.header == ("Meeting Date", "Agenda Item", "Cabinet Member/ Responsible Officer",
                            "Recommendations/ Actions", "Response/ Status")
    assert [r.cells[:2] for r in table.rows] == [("13th July 2017", "Support to Young Carers")] + \
        [("13th July 2017", "Improvement Board")] * 3 + [("13th July 2017", "Work Programme")] * 3
    assert table.rows[1].cells == ("13th July 2017", "Improvement Board", "",
                                   "Redesign of children's services to scrutiny in sept", "Added to the work programme")


def test_work_programme_rows_keep_their_cells(items, docs) -> None:
    wp = docs[items[f"{mid('2017-04-27')}/item-9"].document_ids[0]]
    rows = [r.cells for t in wp.tables for r in t.rows]
    assert all(len(c) == 4 for c in rows)
    assert wp.tables[0].header == ("Date", "Title", "Detail", "Cabinet Member/ Lead Officer")


@pytest.mark.parametrize("day", sorted(RESOLVED))
def test_resolved_points_are_kept_and_marked(items, day) -> None:
    for number, firsts in RESOLVED[day].items():
        item = items[f"{mid(day)}/minute-{number}"]
        assert [r.point for r in item.resolutions] == [str(k) for k in range(1, len(firsts) + 1)], number
        for r, words in zip(item.resolutions, firsts):
            assert r.text.startswith(words), (number, r.text[:60])
            assert item.span[0] <= r.span[0] < r.span[1] <= item.span[1]  # still part of the item
            assert words in item.body
    young_carers = items[f"{mid('2017-07-13')}/minute-7"].resolutions[1]
    assert "streamlining of services to young carers" in young_carers.text  # its a. and b. stay with it


def test_unnumbered_resolutions_are_one_record(items) -> None:
    (r,) = items[f"{mid('2017-04-06')}/minute-74"].resolutions
    assert r.point is None and r.text.startswith("RESOLVED that the report be noted")
    assert [len(items[f"{mid('2017-04-06')}/minute-73"].resolutions)] == [7]


def test_cross_references_as_written(items) -> None:
    def refs(day: str, n: str) -> list[tuple[str, str, str | None]]:
        return [(c.text, c.minute, c.year) for c in items[f"{mid(day)}/minute-{n}"].cross_refs]

    assert refs("2017-04-06", "73") == [("Further to minute 28/16", "28", "16")]
    assert refs("2021-01-28", "16") == [("Further to minute 34/19", "34", "19")]
    assert refs("2019-11-28", "24") == [("Further to minute 19/19", "19", "19"), ("Further to minute 20/19", "20", "19")]
    assert refs("2017-07-13", "8") == [("Further to Minute 3/17", "3", "17")]


@pytest.mark.parametrize("name", sorted(PACKS))
def test_spans_give_back_the_text(packs, name) -> None:
    ps = packs[name]
    for it in ps.items:
        assert text_of(ps, it) == it.body
        assert it.body == it.body.strip()
    for c in (c for it in ps.items for c in it.cross_refs):
        assert ps.sources[0].text[c.span[0]:c.span[1]] == c.text


@pytest.mark.parametrize("name", sorted(PACKS))
def test_documents_do_not_overlap_and_cover_every_report(packs, name) -> None:
    ps = packs[name]
    text = ps.sources[0].text
    spans = sorted(d.span for d in ps.documents)
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert a1 <= b0
    covers = [k for k in range(len(text)) if text.startswith("Subject:", k) and (k == 0 or text[k - 1] == "\n")]
    for k in covers:
        holder = [d for d in ps.documents if d.span[0] <= k < d.span[1]]
        assert len(holder) == 1 and holder[0].doc_type in ("report", "outstanding_issues"), text[k:k + 60]
    # what no document holds is only layout: blank pages and blank lines
    held = sorted(d.span for d in ps.documents)
    gaps, pos = [], 0
    for a, b in held:
        gaps.append(text[pos:a])
        pos = b
    gaps.append(text[pos:])
    leftover = "".join(gaps).replace("This page is intentionally left blank", "")
    assert leftover.strip() == ""


def test_ids_are_stable_across_reads(packs) -> None:
    again = parse_path(CORPUS / "000_650dc6dc71139f49.txt")
    first = packs["000_650dc6dc71139f49.txt"]
    assert [d.id for d in again.documents] == [d.id for d in first.documents]
    assert [i.id for i in again.items] == [i.id for i in first.items]
    assert f"{mid('2019-11-28')}/minute-25" in {i.id for i in first.items}


@pytest.mark.parametrize("day", sorted(MINUTES))
def test_attendance_before_the_first_minute_is_kept(items, day) -> None:
    """Who was present and the apologies are searchable, as the meeting's first minutes item."""
    att = items[f"{mid(day)}/attendance"]
    assert att.kind == "minute" and att.number is None and att.order == 0
    assert "Present" in att.body and "Apologies" in att.body
