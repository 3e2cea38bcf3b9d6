"""Other councils' layouts (as seen in the Limerick papers), written afresh for the tests:
a notice of meeting instead of a ModernGov front sheet, minutes headings set one word per
line in capitals with OCR'd ordinals, "A meeting of ... was held ..." openings, and
minutes numbered "1." on a line of their own. A date is never guessed."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from indexer.common.errors import ParseError
from indexer.structure.reader import parse_path

NOTICE = """Riverside District Council
Civic Offices, Riverside

1st March, 2019

To: The Cathaoirleach and Each Member of the Municipal District of Riverside

A Chomhairleoir, a chara,

You are requested to attend a Meeting of the Municipal District of Riverside to be held
in the Civic Offices, Riverside, on Wednesday, 6th March, 2019 at 10.00 a.m. The
business to be transacted is set out on the appended Agenda.

AGENDA

1. Minutes
To adopt Minutes of Meeting of the Municipal District of Riverside held on 6th February, 2019.

2. Deputation
To receive a deputation from the Riverside Tidy Towns committee.

3. Roads Programme
To note the report of the Senior Engineer on the roads programme for 2019.
"""

MINUTES_BY_WORD = """MINUTES

OF

PROCEEDINGS

AT

MEETING

OF

THE

MUNICIPAL DISTRICT OF RIVERSIDE HELD IN

THE CIVIC OFFICES, RIVERSIDE,

ON WEDNESDAY, 6™ FEBRUARY, 2019, AT

10AM.

PRESENT IN THE CHAIR:

Councillor A. Smith, Cathaoirleach.

MEMBERS PRESENT:

Councillors Brown, Green and White.

1.

Adoption of Minutes

Circulated, copy of draft Minutes of the Meeting held on 9th January, 2019.

2.

Deputation

The Cathaoirleach welcomed the Tidy Towns committee to the meeting.

3.

Roads Programme

The Senior Engineer outlined the roads programme for the year.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text, encoding="utf-8")
    return f


def test_a_notice_of_meeting_gives_the_pack_meeting(tmp_path) -> None:
    ps = parse_path(write(tmp_path, "agenda.md", NOTICE))
    (m,) = ps.meetings
    assert (m.id, m.committee, m.date, m.start_time) == (
        "municipal-district-of-riverside/2019-03-06", "Municipal District of Riverside",
        date(2019, 3, 6), time(10, 0))
    assert m.place == "the Civic Offices, Riverside"
    items = [(it.number, it.title) for it in ps.items if it.number]
    assert items == [("1", "Minutes"), ("2", "Deputation"), ("3", "Roads Programme")]
    assert [d.doc_type for d in ps.documents] == ["agenda"]  # "To adopt Minutes of ..." is not minutes


def test_a_notice_without_a_year_takes_the_letter_s_year_when_the_weekday_agrees(tmp_path) -> None:
    text = NOTICE.replace("Wednesday, 6th March, 2019", "Wednesday 6th March")
    (m,) = parse_path(write(tmp_path, "agenda.md", text)).meetings
    assert m.date == date(2019, 3, 6)
    wrong_day = NOTICE.replace("Wednesday, 6th March, 2019", "Thursday 6th March")
    with pytest.raises(ParseError) as info:
        parse_path(write(tmp_path, "agenda2.md", wrong_day))
    assert info.value.path == "agenda2.md" and "no recognisable meeting" in info.value.reason


def test_minutes_heading_set_one_word_per_line(tmp_path) -> None:
    ps = parse_path(write(tmp_path, "minutes.md", MINUTES_BY_WORD))
    (m,) = ps.meetings
    assert (m.id, m.committee, m.start_time, m.place) == (
        "municipal-district-of-riverside/2019-02-06", "Municipal District of Riverside", time(10, 0),
        "THE CIVIC OFFICES, RIVERSIDE")
    minutes = [(it.number, it.title) for it in ps.items if it.kind == "minute" and it.number is not None]
    assert minutes == [("1", "Adoption of Minutes"), ("2", "Deputation"), ("3", "Roads Programme")]
    text = ps.sources[0].text
    for it in ps.items:
        assert text[it.span[0]:it.span[1]] == it.body
    numbered = {it.number: it for it in ps.items if it.number}
    assert numbered["2"].body == "The Cathaoirleach welcomed the Tidy Towns committee to the meeting."


def test_a_heading_without_a_year_is_not_guessed(tmp_path) -> None:
    text = MINUTES_BY_WORD.replace("ON WEDNESDAY, 6™ FEBRUARY, 2019, AT", "ON WEDNESDAY 6TH FEBRUARY AT")
    with pytest.raises(ParseError) as info:
        parse_path(write(tmp_path, "minutes.md", text))
    assert "no recognisable meeting" in info.value.reason


def test_a_meeting_was_held_opening(tmp_path) -> None:
    text = ("**CULTURE STRATEGIC POLICY COMMITTEE**\n\n"
            "A meeting of the Culture Strategic Policy Committee was held in the Council Chamber,\n"
            "Riverside, on Wednesday 11th May, 2016 at 2.30p.m.\n\n"
            "The following were in attendance: -\n\n**IN THE CHAIR:**\n\nCllr. A. Smith\n\n"
            "1. Minutes of the previous meeting\n\nThe minutes were agreed.\n")
    (m,) = parse_path(write(tmp_path, "spc.md", text)).meetings
    assert (m.committee, m.date, m.start_time) == ("Culture Strategic Policy Committee", date(2016, 5, 11),
                                                   time(14, 30))
    # deep inside a document the same sentence is only a sentence
    buried = "Notes on the year.\n\n" + "\n\n".join(f"Paragraph {n} of the report." for n in range(30)) + "\n\n" + text
    with pytest.raises(ParseError):
        parse_path(write(tmp_path, "report.md", buried.replace("**CULTURE STRATEGIC POLICY COMMITTEE**", "")))


def test_spc_committee_names_are_spelled_out_and_the_council_kept_apart(tmp_path) -> None:
    text = ("**MINUTES OF MEETING OF RIVERSIDE COUNTY COUNCIL HOUSING**\n**SPC**\n"
            "A meeting of Riverside County Council, Housing Strategic Policy Committee was held on "
            "**the 15th** **June 2022** in the Council Chamber.\n**In Attendance:** Cllr. A. Smith\n")
    (m,) = parse_path(write(tmp_path, "spc.md", text)).meetings
    assert (m.id, m.committee, m.council) == ("housing-strategic-policy-committee/2022-06-15",
                                              "Housing Strategic Policy Committee", "Riverside County Council")


def test_a_folder_of_files_none_of_which_names_a_meeting(tmp_path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    write(folder, "a.txt", "A note about library opening hours, with no meeting named.\n")
    write(folder, "b.txt", "Another note about parks and open spaces, with no meeting named.\n")
    with pytest.raises(ParseError) as info:
        parse_path(folder)
    assert info.value.path == "downloads (a.txt, b.txt)"
