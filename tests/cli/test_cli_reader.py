"""`council meetings` and `council items` on good and bad input, through the real CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.cli import main
from tests.pdfgen import make_encrypted_pdf

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
GOOD_PACK = "000_650dc6dc71139f49.txt"
NINE = ["2017-04-06", "2017-04-27", "2017-07-13", "2017-09-14", "2019-11-28", "2020-01-09",
        "2021-01-28", "2021-03-11", "2023-03-16"]


def council(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def packs(tmp_path_factory) -> Path:
    """The five corpus packs on their own (corpus/ also holds a README)."""
    folder = tmp_path_factory.mktemp("packs")
    for p in CORPUS.glob("*.txt"):
        shutil.copy(p, folder / p.name)
    return folder


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A good pack among one bad file of each kind; file name -> expected reason."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(CORPUS / GOOD_PACK, folder / GOOD_PACK)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "latin1.txt").write_bytes("Minutes of the meeting, café".encode("latin-1"))
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\nnot a pdf at all\n%%EOF")
    make_encrypted_pdf(folder / "locked.pdf", "Minutes of the Meeting", "secret")
    (folder / "notes.txt").write_text("Notes from a site visit.\nNothing here names a meeting or a date.\n")
    reasons = {
        "empty.txt": "empty file",
        "binary.txt": "binary file, not text",
        "latin1.txt": "not UTF-8 text",
        "corrupt.pdf": "corrupt or unreadable PDF",
        "locked.pdf": "password-protected PDF",
        "notes.txt": "no recognisable meeting",
    }
    return folder, reasons


def test_meetings_json_lists_the_nine_meetings_and_nothing_else(packs) -> None:
    result = council("meetings", str(packs), "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["date"] for r in rows] == NINE
    assert {r["committee"] for r in rows} == {"Education and Children's Services Scrutiny Board (2)"}
    assert {r["date"]: r["start_time"] for r in rows}["2019-11-28"] == "10:00"
    assert result.stderr == ""


def test_each_bad_file_is_one_line_and_the_good_pack_is_still_read(mixed) -> None:
    folder, reasons = mixed
    result = council("meetings", str(folder), "--json")
    assert result.exit_code == 1
    assert [r["date"] for r in json.loads(result.stdout)] == ["2019-11-28", "2020-01-09"]
    lines = result.stderr.splitlines()
    assert len(lines) == len(reasons), lines
    for name, reason in reasons.items():
        (line,) = [ln for ln in lines if ln.startswith(f"error: {name}: ")]
        assert reason in line, line


def test_a_single_bad_file_named_on_the_command_line(mixed) -> None:
    folder, _ = mixed
    result = council("meetings", str(folder / "locked.pdf"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["error: locked.pdf: password-protected PDF"]


def test_items_json_shape(packs) -> None:
    result = council("items", "2019-11-28", str(packs), "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [(r["number"], r["kind"]) for r in rows] == [(None, "minute")] + [(str(n), "minute") for n in range(23, 30)]
    assert rows[0]["title"] == "Present and apologies"
    m25 = next(r for r in rows if r["number"] == "25")
    assert set(m25) == {"id", "meeting_id", "kind", "number", "title", "doc_type", "documents",
                        "page_start", "page_end", "order", "resolutions", "cross_refs"}
    assert m25 | {"documents": None} == {
        "id": "education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25",
        "meeting_id": "education-and-childrens-services-scrutiny-board-2/2019-11-28",
        "kind": "minute", "number": "25", "title": "Children's Services Improvement", "doc_type": "minutes",
        "documents": None, "page_start": 3, "page_end": 8, "order": 3, "resolutions": 3, "cross_refs": [],
    }
    assert next(r for r in rows if r["number"] == "24")["cross_refs"] == ["Further to minute 19/19", "Further to minute 20/19"]


def test_items_of_a_pack_meeting_hold_their_reports(packs) -> None:
    rows = json.loads(council("items", "2020-01-09", str(packs), "--json").stdout)
    libraries = next(r for r in rows if r["title"] == "Libraries Update")
    assert (libraries["number"], libraries["doc_type"], libraries["page_start"], libraries["page_end"]) == (
        "4", "report", 9, 14)
    assert libraries["documents"] == ["Libraries Update", "Appendix A"]


def test_items_for_an_unknown_date_exits_2_with_one_line(packs) -> None:
    result = council("items", "2001-01-01", str(packs))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == ["error: no meeting on 2001-01-01"]


def test_items_with_a_malformed_date_is_a_usage_error(packs) -> None:
    result = council("items", "9th January", str(packs))
    assert result.exit_code == 2
    assert "is not a date in YYYY-MM-DD form" in result.stderr
