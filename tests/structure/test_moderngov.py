"""The reader on the generated ModernGov-style set (eval/moderngov): every kind of paper is
read and dated, records of other meetings are dated by the meeting they record, copies are read
once, and titles are the council's own."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.common.errors import ParseError
from indexer.common.models import ParsedSource
from indexer.ingest.files import iter_input_files
from indexer.ingest.folders import input_units
from indexer.structure.reader import parse_path

RPB = "resources-and-performance-board"


@pytest.fixture(scope="module")
def parsed(moderngov_small) -> dict[str, ParsedSource]:
    units = input_units(moderngov_small, iter_input_files([moderngov_small]))
    return {str(u.relative_to(moderngov_small)): parse_path(u, root=moderngov_small) for u in units}


def _docs(ps: ParsedSource, item_id: str):
    by_id = {d.id: d for d in ps.documents}
    item = next(i for i in ps.items if i.id == item_id)
    return [by_id[d] for d in item.document_ids]


def test_every_meeting_folder_is_one_unit_and_reads(parsed):
    assert sorted(parsed) == ["county_council/2025-02-27", "resources_and_performance_board/2025-01-16",
                              "resources_and_performance_board/2025-02-13"]
    for ps in parsed.values():
        assert any(s.path.split("/")[2] == "public_packs" for s in ps.sources)  # the pack in its sub-folder


def test_the_pack_gives_items_their_pages_and_the_committee_its_printed_name(parsed):
    ps = parsed["resources_and_performance_board/2025-01-16"]
    m = next(m for m in ps.meetings if m.id == f"{RPB}/2025-01-16")
    assert (m.committee, m.council, m.place) == ("Resources and Performance Board", "Harrowmere County Council",
                                                 "Council Chamber, Shire Hall, Harrowmere")
    item = next(i for i in ps.items if i.id == f"{RPB}/2025-01-16/item-4")
    assert (item.title, item.page_start, item.page_end) == ("Revenue Budget Monitoring 2024/25: Quarter 3", 2, 3)
    (doc,) = _docs(ps, item.id)
    assert doc.path.endswith("public_packs/Public reports pack 16th-Jan-2025 10.00 Resources and Performance Board.pdf")
    assert (doc.page_start, doc.page_end, doc.pdf_page_start) == (2, 3, 3)


def test_papers_the_pack_repeats_are_read_once_from_it(parsed):
    warnings = " ".join(parsed["resources_and_performance_board/2025-01-16"].warnings)
    assert "Agenda frontsheet 16th-Jan-2025" in warnings and "Revenue Budget Monitoring 2024-25 Quarter 3.pdf" in warnings
    assert "read once" in warnings
    w = parsed["county_council/2025-02-27"].warnings
    assert any(x.startswith("county_council/2025-02-27/Budget%20Amendments") and "URL-encoded name of" in x for x in w)
    w = parsed["resources_and_performance_board/2025-02-13"].warnings
    assert any("EqIA Waste Strategy 2025-2035 (1).pdf: same bytes as" in x for x in w)


def test_minutes_and_notes_of_other_meetings_are_dated_by_the_meeting_they_record(parsed):
    ps = parsed["resources_and_performance_board/2025-01-16"]
    got = {(d.meeting_id, d.published_for, d.doc_type) for d in ps.documents if d.meeting_id != d.published_for}
    assert got == {(f"{RPB}/2024-12-12", f"{RPB}/2025-01-16", "minutes"),  # the previous minutes, in the pack
                   ("highways-and-transport-advisory-group/2024-11-14", f"{RPB}/2025-01-16", "minutes")}
    htag = next(m for m in ps.meetings if m.id.startswith("highways"))
    assert htag.committee == "Highways and Transport Advisory Group"
    # its agenda line lists it, and its numbered notes are items of that meeting
    assert [d.meeting_id for d in _docs(ps, f"{RPB}/2025-01-16/item-6")] == [htag.id]
    titles = [i.title for i in ps.items if i.meeting_id == htag.id and i.number]
    assert titles == ["Winter service", "Bus service improvement plan", "Twenty miles per hour zones", "Date of next meeting"]


def test_a_panels_minutes_filed_with_a_later_council_meeting(parsed):
    ps = parsed["county_council/2025-02-27"]
    lacp = next(m for m in ps.meetings if m.id == "looked-after-children-panel/2024-10-29")
    assert (lacp.committee, lacp.date) == ("Looked After Children Panel", date(2024, 10, 29))
    (doc,) = [d for d in ps.documents if d.meeting_id == lacp.id]
    assert doc.published_for == "county-council/2025-02-27" and doc.path.endswith("LACP Minutes 29.10.24.pdf")
    assert [d.id for d in _docs(ps, "county-council/2025-02-27/item-6")] == [doc.id]
    # the council's own earlier minutes keep the council's name as the front sheet prints it
    assert "county-council/2024-12-12" in {m.id for m in ps.meetings}


def test_recommendations_of_another_body_bundled_in_the_pack(parsed):
    ps = parsed["resources_and_performance_board/2025-02-13"]
    (rec,) = [i for i in ps.items if i.meeting_id == "overview-and-scrutiny-management-board/2024-12-10"]
    assert rec.title == "Recommendations to the Resources and Performance Board"
    assert "a contingency of £2.5 million" in rec.body
    # its agenda line stays the pack's item, and does not repeat the recommendations
    item4 = next(i for i in ps.items if i.id == f"{RPB}/2025-02-13/item-4")
    assert "contingency" not in item4.body


def test_supplements_appendices_and_unlisted_papers_find_their_place(parsed):
    ps = parsed["resources_and_performance_board/2025-02-13"]
    assert [(d.doc_type, d.title) for d in _docs(ps, f"{RPB}/2025-02-13/item-5")] == [
        ("report", "Fees and Charges 2025/26"), ("appendix", "Appendix B: Revised car parking tariffs 2025/26")]
    assert [d.doc_type for d in _docs(ps, f"{RPB}/2025-02-13/item-6")] == ["report", "appendix"]
    own = [i.title for i in ps.items if "/doc-" in i.id]
    assert own == ["Record of decisions"]
    council = parsed["county_council/2025-02-27"]
    assert [i.title for i in council.items if "/doc-" in i.id] == ["Questions put and answers given"]
    assert [(d.doc_type, d.title) for d in _docs(council, "county-council/2025-02-27/item-5")] == [
        ("report", "Budget 2025/26 and Medium Term Financial Strategy 2025-2029"), ("appendix", "Budget Amendments")]


def test_no_title_is_a_page_number_a_table_cell_or_a_slug(parsed):
    for ps in parsed.values():
        for t in [i.title for i in ps.items] + [d.title for d in ps.documents]:
            assert not t.strip().isdigit() and not t.lower().startswith("page ") and "\t" not in t, t
        for m in ps.meetings:
            assert "_" not in m.committee and m.committee[0].isupper()


def test_a_pack_read_on_its_own_is_dated_by_its_name_and_folder(moderngov_small):
    pack = next((moderngov_small / "county_council" / "2025-02-27" / "public_packs").glob("*.pdf"))
    ps = parse_path(pack, root=moderngov_small)
    assert "county-council/2025-02-27" in {m.id for m in ps.meetings}


def test_a_paper_with_no_meeting_is_refused_naming_what_was_tried(tmp_path, moderngov_small):
    src = moderngov_small / "county_council" / "2025-02-27"
    loose = tmp_path / "downloads" / "Budget notes.pdf"
    loose.parent.mkdir()
    loose.write_bytes(next(src.glob("Budget Amendments*.pdf")).read_bytes())
    with pytest.raises(ParseError) as info:
        parse_path(loose, root=tmp_path)
    reason = info.value.reason
    assert info.value.path == "downloads/Budget notes.pdf"
    assert reason.startswith("no recognisable meeting")
    for tried in ("meeting.json", "front sheet", "file name", "dated folder"):
        assert tried in reason
