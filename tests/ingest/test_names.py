"""indexer.ingest.names: what ModernGov's and officers' file names say."""

from __future__ import annotations

from datetime import date, time

import pytest

from indexer.ingest.names import any_date, numeric_date, read_name


@pytest.mark.parametrize("name, kind, when, start, committee, title", [
    ("Public reports pack 13th-Mar-2025 15.00 Cabinet.pdf", "pack", date(2025, 3, 13), time(15), "Cabinet",
     "Public reports pack"),
    ("Agenda frontsheet 04th-Mar-2025 10.30 County Council.pdf", "frontsheet", date(2025, 3, 4), time(10, 30),
     "County Council", "Agenda frontsheet"),
    ("Printed minutes 13th-Mar-2025 15.00 Cabinet.pdf", "minutes", date(2025, 3, 13), time(15), "Cabinet",
     "Printed minutes"),
    ("Item 3 Supplement 13th-Mar-2025 15.00 Cabinet.pdf", "supplement", date(2025, 3, 13), time(15), "Cabinet",
     "Item 3 Supplement"),
    ("Questions put and answers given 27th-Feb-2025 14.00 County Council.pdf", "questions", date(2025, 2, 27),
     time(14), "County Council", "Questions put and answers given"),
    ("CPP Minutes 29.10.24.pdf", "minutes", date(2024, 10, 29), None, None, "CPP Minutes 29.10.24"),
    ("Highways note 14 November 2024.pdf", "notes", date(2024, 11, 14), None, None, "Highways note 14 November 2024"),
    ("Scrutiny recommendations 10.12.24.pdf", "recommendations", date(2024, 12, 10), None, None,
     "Scrutiny recommendations 10.12.24"),
    ("03 Appendix A - Fees (1).pdf", "appendix", None, None, None, "Appendix A - Fees"),
    ("EqIA Waste Strategy.pdf", "eqia", None, None, None, "EqIA Waste Strategy"),
    ("DPIA - Route planning.pdf", "dpia", None, None, None, "DPIA - Route planning"),
    ("Briefing note on libraries.pdf", None, None, None, None, "Briefing note on libraries"),
])
def test_read_name(name, kind, when, start, committee, title):
    n = read_name(name)
    assert (n.kind, n.date, n.start_time, n.committee, n.title) == (kind, when, start, committee, title)


def test_encoded_names_are_decoded_and_items_and_abbreviations_read():
    n = read_name("Budget%20Amendments%2027th-Feb-2025%2014.00%20County%20Council.pdf")
    assert (n.stem, n.kind, n.committee, n.moderngov) == (
        "Budget Amendments 27th-Feb-2025 14.00 County Council", "amendments", "County Council", True)
    assert read_name("Item 7a Appendix B - Fees.pdf").item == "7a"
    assert read_name("CPP Minutes 29.10.24.pdf").abbreviations == ("CPP",)
    assert read_name("Budget Amendments.pdf").date is None


def test_numeric_dates_are_day_first_and_checked():
    assert numeric_date("Minutes 10.12.24")[0] == date(2024, 12, 10)
    assert numeric_date("29/10/2024")[0] == date(2024, 10, 29)
    assert numeric_date("31.02.24") is None  # no 31 February
    assert numeric_date("version 1.2.3.4") is None
    assert any_date("held 14 November 2024 (note 15.11.24)") == date(2024, 11, 14)  # the first one
