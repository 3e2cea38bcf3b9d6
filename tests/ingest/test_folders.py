"""indexer.ingest.folders: which files are read together as one meeting."""

from __future__ import annotations

from pathlib import Path

from indexer.ingest.folders import input_units


def test_meeting_folders_are_one_unit_and_other_files_their_own(tmp_path: Path):
    dated = tmp_path / "2021-03-11"
    named = tmp_path / "board"
    plain = tmp_path / "misc"
    for folder in (dated, named, plain):
        folder.mkdir()
    (named / "meeting.json").write_text("{}")
    files = [dated / "a.pdf", dated / "b.pdf", named / "c.pdf", plain / "d.txt", plain / "e.txt",
             tmp_path / "f.txt"]
    for f in files:
        f.write_text("x")
    assert input_units(tmp_path, files) == [dated, named, plain / "d.txt", plain / "e.txt", tmp_path / "f.txt"]


def test_a_dated_top_folder_is_itself_one_unit(tmp_path: Path):
    top = tmp_path / "2017-04-27"
    top.mkdir()
    files = [top / "agenda.pdf", top / "minutes.pdf"]
    for f in files:
        f.write_text("x")
    assert input_units(top, files) == [top]
