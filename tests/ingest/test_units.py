"""Meeting folders with sub-folders, dated folder paths, and copies read once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from indexer.ingest.duplicates import distinct_files
from indexer.ingest.files import unit_files
from indexer.ingest.folders import folder_date, input_units, nearest_folder_date


def _touch(p: Path, text: str = "x") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_a_meeting_folder_takes_in_its_sub_folders(tmp_path: Path):
    meeting = tmp_path / "cabinet" / "2025-03-13"
    files = [_touch(meeting / "Agenda frontsheet.pdf"), _touch(meeting / "public_packs" / "Public reports pack.pdf"),
             _touch(tmp_path / "cabinet" / "loose.txt")]
    assert input_units(tmp_path, files) == [meeting, files[2]]
    assert unit_files(meeting) == files[:2]


def test_a_dated_sub_folder_is_its_own_unit(tmp_path: Path):
    outer = tmp_path / "2025-03-13"
    inner = outer / "2025-03-20"
    files = [_touch(outer / "a.pdf"), _touch(inner / "b.pdf")]
    assert input_units(tmp_path, files) == [outer, inner]
    assert unit_files(outer) == [files[0]]


def test_folder_dates():
    assert folder_date(Path("cabinet/2025-03-13")).date == date(2025, 3, 13)
    assert folder_date(Path("cabinet/2025-03-13")).name == "cabinet"
    found = folder_date(Path("meetings/2019/03/21-Monthly Meeting of the District"))
    assert (found.date, found.name) == (date(2019, 3, 21), "Monthly Meeting of the District")
    assert folder_date(Path("cabinet/2025-02-30")) is None
    assert folder_date(Path("misc/21-notes")) is None  # no year and month above it
    assert nearest_folder_date(Path("cabinet/2025-03-13/public_packs/x.pdf")).date == date(2025, 3, 13)


def test_copies_are_read_once(tmp_path: Path):
    a = _touch(tmp_path / "Budget Amendments.pdf", "one")
    b = _touch(tmp_path / "Budget%20Amendments.pdf", "one, saved again")  # the same link saved twice
    c = _touch(tmp_path / "Appendix A.pdf", "two")
    d = _touch(tmp_path / "Appendix A (1).pdf", "two")
    e = _touch(tmp_path / "sub" / "Appendix A.pdf", "two")
    kept, copies = distinct_files([a, b, c, d, e])
    assert kept == [a, c]
    assert {(x.path.name, x.original, x.reason) for x in copies} == {
        ("Budget%20Amendments.pdf", a, "URL-encoded name of"), ("Appendix A (1).pdf", c, "same bytes as"),
        ("Appendix A.pdf", c, "same bytes as")}
