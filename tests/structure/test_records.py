"""Records of other meetings: kind, body and date from a heading, an agenda line or a file name."""

from __future__ import annotations

from datetime import date

from indexer.ingest.names import read_name
from indexer.structure.common import split_lines
from indexer.structure.dating import readable_folder_name, same_body
from indexer.structure.meetings import find_front_sheet
from indexer.structure.minutes import find_minutes
from indexer.structure.records import find_record, spell_out


def test_notes_named_in_their_heading():
    rec = find_record(["Any District Council", "Notes of the Flood Forum meeting held on 14 November 2024",
                       "Attendees: ..."])
    assert (rec.kind, rec.committee, rec.date, rec.council) == ("notes", "Flood Forum", date(2024, 11, 14),
                                                                "Any District Council")


def test_a_body_named_above_its_record_and_a_date_on_the_next_line():
    rec = find_record(["Harbour Board", "Meeting notes - 5 December 2024", "Attendees: 9 members"])
    assert (rec.kind, rec.committee, rec.date) == ("notes", "Harbour Board", date(2024, 12, 5))
    rec = find_record(["Audit Panel", "Recommendations to Cabinet", "Meeting held on 10 December 2024"],
                      listed="Recommendations of the Audit Panel")
    assert (rec.kind, rec.committee, rec.date) == ("recommendations", "Audit Panel", date(2024, 12, 10))


def test_an_abbreviation_in_the_file_name_is_spelled_out_by_the_papers():
    head = ["Minutes", "20 November 2024, Youth Hub", "Present: eleven young people"]
    text = "Members of the Tenants Voice Forum (TVF) met at the hub."
    rec = find_record(head, read_name("TVF minutes 20.11.24.pdf"), texts=[text])
    assert (rec.kind, rec.committee, rec.date) == ("minutes", "Tenants Voice Forum", date(2024, 11, 20))
    assert spell_out("CPP", ["Corporate Parenting Panel", "other text"]) == "Corporate Parenting Panel"
    assert spell_out("XYZ", ["nothing here"]) is None
    # nothing spells it out: the abbreviation stays as printed, never guessed
    assert find_record(head, read_name("TVF minutes 20.11.24.pdf")).committee == "TVF"


def test_a_report_with_a_recommendations_heading_is_not_a_record():
    assert find_record(["Title: Fees and Charges 2025/26", "Recommendations",
                        "The Board is asked to note the fees."]) is None
    assert find_record(["Budget Monitoring", "Report of the Director of Finance"]) is None


def test_minutes_under_the_name_of_their_body():
    text = ("Harrowmere County Council\nCounty Council\nMinutes of the meeting held at Shire Hall on Thursday "
            "12 December 2024 at 2.00 pm\nPresent: Councillor A (Chairman)\n1. Apologies\nNone.\n2. Tax base\nSet.\n")
    (sec,) = find_minutes(text, split_lines(text))
    assert (sec.committee, sec.council, sec.date) == ("County Council", "Harrowmere County Council", date(2024, 12, 12))
    text = "Minutes of the Corporate Parenting Panel held on Tuesday 29 October 2024\nPresent: A\n1. Apologies\nNone.\n"
    (sec,) = find_minutes(text, split_lines(text))
    assert (sec.committee, sec.date) == ("Corporate Parenting Panel", date(2024, 10, 29))


def test_a_labelled_front_sheet_and_a_report_that_only_looks_like_one():
    sheet = ("Public Document Pack\nAny County Council\nCabinet\nDate: Thursday, 13th March, 2025\nTime: 3.00 pm\n"
             "Venue: Council Chamber\nAgenda\n1. Apologies\n2. Budget 2025/26 (Pages 9 - 14)\nReport of the Leader\n")
    fs = find_front_sheet(sheet, split_lines(sheet))
    assert (fs.committee, fs.date, fs.place, fs.council) == ("Cabinet", date(2025, 3, 13), "Council Chamber",
                                                              "Any County Council")
    assert [(e.number, e.title, e.page_start, e.page_end) for e in fs.entries] == [
        ("1", "Apologies", None, None), ("2", "Budget 2025/26", 9, 14)]
    report = "Report to: Cabinet\nDate: 13 March 2025\n1. Purpose of the report\n2. Recommendations\n3. Summary\n"
    assert find_front_sheet(report, split_lines(report)) is None


def test_bodies_and_folder_names():
    assert same_body("Scrutiny Board (2)", "Education and Children's Services Scrutiny Board (2)")
    assert same_body("CPP", "Corporate Parenting Panel")
    assert not same_body("County Council", "Corporate Parenting Panel")
    assert not same_body("Cabinet", "Cabinet Member Decisions")
    assert readable_folder_name("county_council") == "County Council"
    assert readable_folder_name("health-and-wellbeing-board") == "Health and Wellbeing Board"
    assert readable_folder_name("Monthly Meeting of the District") == "Monthly Meeting of the District"
