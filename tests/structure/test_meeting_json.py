"""A fetched meeting.json decides the agenda items, their documents, URLs and restricted flags;
an agenda pack's pages that repeat the item documents are not read twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.chunk.chunker import chunk_source
from indexer.common.errors import ParseError
from indexer.structure.privacy import restricted_documents
from indexer.structure.reader import parse_path
from tests.pdfgen import make_pdf

BUDGET = ("Revenue budget monitoring. The forecast overspend is 2.1 million pounds, mainly in adult social "
          "care placements, offset in part by vacancy savings.")
PARKING = ("Residents parking scheme. Consultation on the scheme for the streets around the station closed "
           "with 214 responses, 61 per cent in favour.")
PRIVATE = "Acquisition of the former depot. The agreed price is 800,000 pounds. Exempt information."


def _folder(tmp_path: Path, restricted: bool = True) -> Path:
    f = tmp_path / "Cabinet" / "2025-06-12"
    f.mkdir(parents=True)
    # file names that say nothing of the item: only meeting.json can place them
    make_pdf(f / "Report A.pdf", [BUDGET])
    make_pdf(f / "Report B.pdf", [PARKING])
    make_pdf(f / "Report C.pdf", [PRIVATE])
    # the pack repeats both reports under its own page numbers, after a front page
    make_pdf(f / "Reports pack.pdf", ["Agenda. 7 Budget monitoring. 8 Parking.", BUDGET, PARKING],
             first_page_number=11)
    meta = {"committee": "Cabinet", "date": "2025-06-12", "start_time": "14:00",
            "url": "https://democracy.example.gov.uk/ieListDocuments.aspx?CId=1&MId=2",
            "items": [
                {"number": "7", "title": "Budget Monitoring Q1", "documents": [
                    {"title": "Budget report", "file": "Report A.pdf", "url": "https://d.example/a.pdf"}]},
                {"number": "8", "title": "Residents' Parking", "documents": [
                    {"title": "Parking report", "file": "Report B.pdf", "url": "https://d.example/b.pdf"}]},
                {"number": "9", "title": "Depot Acquisition", "documents": [
                    {"title": "Depot report", "file": "Report C.pdf", "url": "https://d.example/c.pdf",
                     "restricted": restricted}]}],
            "documents": [{"title": "Public reports pack", "file": "Reports pack.pdf", "url": "https://d.example/p.pdf"}]}
    (f / "meeting.json").write_text(json.dumps(meta), encoding="utf-8")
    return f


def test_items_and_their_documents_come_from_meeting_json(tmp_path):
    ps = parse_path(_folder(tmp_path), root=tmp_path)
    items = {i.number: i for i in ps.items if i.kind == "agenda" and i.number}
    assert {n: i.title for n, i in items.items()} == {"7": "Budget Monitoring Q1", "8": "Residents' Parking",
                                                     "9": "Depot Acquisition"}
    docs = {d.id: d for d in ps.documents}
    assert [docs[d].path for d in items["7"].document_ids] == ["Cabinet/2025-06-12/Report A.pdf"]
    assert [docs[d].url for d in items["8"].document_ids] == ["https://d.example/b.pdf"]
    assert docs[items["8"].document_ids[0]].title == "Parking report"
    assert ps.meetings[0].start_time.isoformat() == "14:00:00"


def test_restricted_in_meeting_json_restricts_the_document(tmp_path):
    ps = parse_path(_folder(tmp_path), root=tmp_path)
    hidden = restricted_documents(ps, tmp_path)
    assert {d.path.rsplit("/", 1)[1] for d in ps.documents if d.id in hidden} == {"Report C.pdf"}


def test_the_pack_pages_that_repeat_the_reports_are_not_read_twice(tmp_path):
    ps = parse_path(_folder(tmp_path, restricted=False), root=tmp_path)
    chunks = chunk_source(ps)
    texts = [" ".join(c.text.split()) for c in chunks]
    assert sum("forecast overspend" in t for t in texts) == 1
    assert sum("214 responses" in t for t in texts) == 1
    pack = ps.source_for("Cabinet/2025-06-12/Reports pack.pdf")
    assert "Agenda. 7 Budget" in pack.text and "forecast overspend" not in pack.text
    assert [p.pdf_page for p in pack.pages] == [1, 2, 3]  # pages and offsets stay where they were


def test_without_meeting_json_nothing_changes(tmp_path):
    f = _folder(tmp_path)
    (f / "meeting.json").unlink()
    ps = parse_path(f, root=tmp_path)
    assert all(d.url is None for d in ps.documents)
    assert sum("forecast overspend" in " ".join(c.text.split()) for c in chunk_source(ps)) == 2


def test_a_broken_meeting_json_names_the_file(tmp_path):
    f = _folder(tmp_path)
    (f / "meeting.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ParseError, match="meeting.json"):
        parse_path(f, root=tmp_path)
