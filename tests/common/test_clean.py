"""Text cleaned of conversion debris, and only of it: the words stay the document's."""

from __future__ import annotations

import pytest

from indexer.common.clean import clean_text, table_row


@pytest.mark.parametrize("raw, clean", [
    ("**RESOLVED that the Board:**", "RESOLVED that the Board:"),
    ("### **25. Declarations of Interests**", "25. Declarations of Interests"),
    ('<ul style="list-style:none"><li>Note the report</li></ul>', "Note the report"),
    ("- 1) acknowledge progress**", "1) acknowledge progress"),
    ("<i>Council Run</i> totals", "Council Run totals"),
    ("watch the video [watch via FB](#) .", "watch the video watch via FB ."),
    ("see <http://moderngov.coventry.gov.uk>", "see http://moderngov.coventry.gov.uk"),
    ("***I will ask at the next Meeting***", "I will ask at the next Meeting"),
    ("**\\_\\_\\_\\_\\_\\_**", ""),
    ("¢ Members requested more signage.", "Members requested more signage."),
])
def test_markup_is_dropped(raw, clean):
    assert clean_text(raw) == clean


def test_broken_hyphenation_and_wrapped_lines_are_joined():
    raw = ("The project commenced on 01/09/2017 and is due to end on\n\n31/03/2020\n\n"
           "St Bartholo-\nmew's school joined. The total budget for the project is €1.74m of which Limerick City &\n\n"
           "County Council fund €273,458.")
    out = clean_text(raw)
    assert "is due to end on 31/03/2020" in out
    assert "St Bartholomew's school joined." in out
    assert "Limerick City & County Council fund €273,458." in out


def test_lists_and_dated_lines_stay_lines():
    raw = "Members: Councillor J Innes (Chair)\nCouncillor P Akhtar\n\n20th June 2019\nIntroduction to the Service\n18th July 2019"
    assert clean_text(raw).split("\n") == ["Members: Councillor J Innes (Chair)", "Councillor P Akhtar", "",
                                           "20th June 2019", "Introduction to the Service", "18th July 2019"]


def test_doubled_lines_and_sentences_are_kept_once():
    assert clean_text("The Board noted it.\nThe Board noted it.") == "The Board noted it."
    assert clean_text("The Board noted it. The Board noted it. Then it closed.") == "The Board noted it. Then it closed."


def test_table_rows_read_as_column_value_pairs_with_their_label():
    raw = "\tVisitors\tIssues\nCore Libraries\t\t\nCentral\t356,583\t221,054\n<i>Council Run</i>\t1,135,678\t638,761"
    assert clean_text(raw).split("\n") == ["Core Libraries", "Central — Visitors: 356,583; Issues: 221,054",
                                           "Council Run — Visitors: 1,135,678; Issues: 638,761"]


def test_a_table_cut_from_its_header_gets_the_columns_from_the_caller():
    raw = "Bell Green\t137,703\t43,588\nFoleshill\t106,252\t54,489"
    seen = []
    out = clean_text(raw, lambda offset: seen.append(offset) or ["", "Visitors", "Issues"])
    assert out.split("\n")[0] == "Bell Green — Visitors: 137,703; Issues: 43,588"
    assert seen == [0]


def test_a_row_without_columns_keeps_its_cells():
    assert table_row(["Aspire", "8392", "", "35"], None) == "Aspire — 8392; 35"
    assert table_row(["", "To report on progress", "John Gregg"], ["Date", "Title", "Lead"]) == \
        "Title: To report on progress; Lead: John Gregg"
