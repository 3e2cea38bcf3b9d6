"""The recommendations tracker on corpus/ (hash-embedder index from conftest's api_index_dir).

Expected numbers were counted by reading the five packs, not by running the code:

| meeting    | RESOLVED blocks (minutes)   | records: numbered points, or 1 per unnumbered block |
|------------|-----------------------------|------------------------------------------------------|
| 2017-04-06 | 4 (73, 74, 75, 76)          | 7 + 1 + 1 + 1 = 10                                   |
| 2017-07-13 | 3 (7, 8, 9)                 | 4 + 3 + 3 = 10 (7.2's "a." and "b." belong to point 2)|
| 2019-11-28 | 3 (25, 26, 27)              | 3 + 2 + 3 = 8                                        |
| 2021-01-28 | 2 (15, 16)                  | 1 + 1 = 2                                            |
| 2023-03-16 | 4 (27, 28, 29, 30)          | 4 + 2 + 1 + 1 = 8                                    |
| 2017-04-27, 2017-09-14, 2020-01-09, 2021-03-11 | 0 (their packs carry no minutes of their own) | 0 |
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import time
from collections import Counter
from datetime import date

import pytest

from indexer.answer.recommendations import cross_references, find_recommendations, recommendation
from indexer.common.text import norm
from indexer.common.errors import NotFound
from indexer.store.tracker import rebuild_tracker
from indexer.structure.followups import addressee, municipal_label, municipal_year, row_date, status_of

from tests.conftest import CORPUS

BOARD = "education-and-childrens-services-scrutiny-board-2"
POINTS = {"2017-04-06": 10, "2017-07-13": 10, "2019-11-28": 8, "2021-01-28": 2, "2023-03-16": 8,
          "2017-04-27": 0, "2017-09-14": 0, "2020-01-09": 0, "2021-03-11": 0}
BLOCKS = {"2017-04-06": {"73", "74", "75", "76"}, "2017-07-13": {"7", "8", "9"}, "2019-11-28": {"25", "26", "27"},
          "2021-01-28": {"15", "16"}, "2023-03-16": {"27", "28", "29", "30"}}


@pytest.fixture(scope="module")
def db(api_index):
    return api_index


def _records(index, where: str = "1", args=()) -> list:
    return index.query(f"SELECT * FROM tracker_records WHERE {where} ORDER BY meeting_date, ord", args)


def _rec(index, meeting: str, minute: str, point: str | None) -> dict:
    rid = f"{BOARD}/{meeting}/minute-{minute}/" + (f"point-{point}" if point else "resolved")
    return recommendation(index, rid)


# ---------------------------------------------------------------------------- records

def test_every_resolved_point_of_the_nine_meetings_is_a_record(db):
    meetings = {r["date"] for r in db.query("SELECT date FROM meetings WHERE committee LIKE 'Education%'")}
    assert meetings == set(POINTS)
    got = Counter(r["meeting_date"] for r in _records(db))
    assert {m: got.get(m, 0) for m in POINTS} == POINTS
    minutes = {}
    for r in _records(db):
        minutes.setdefault(r["meeting_date"], set()).add(r["minute"])
    assert minutes == BLOCKS


def test_records_quote_the_point_and_cite_the_minute(db):
    for r in _records(db):
        source = db.query("SELECT text FROM files WHERE path=?", (r["path"],))[0][0]
        assert norm(source[r["span_start"]:r["span_end"]]).replace("- ", "").find(r["text"][:30].replace("- ", "")) >= 0 \
            or r["text"].startswith("RESOLVED"), r["id"]
        chunk = db.query("SELECT item_id, span_start, span_end FROM chunks WHERE id=?", (r["chunk_id"],))[0]
        assert chunk["item_id"] == r["item_id"]
        assert chunk["span_start"] < r["span_end"] and chunk["span_end"] > r["span_start"]


def test_point_numbers_and_text(db):
    rec = _rec(db, "2019-11-28", "25", "2")
    assert rec["text"].startswith("recommend that the Cabinet Member for Children and Young People investigate")
    assert rec["addressee"] == "Cabinet Member for Children and Young People"
    assert rec["is_recommendation"]
    assert rec["citation"]["item"] == {"number": "25", "title": "Children's Services Improvement"}
    assert rec["citation"]["meeting_date"] == "2019-11-28"
    young = _rec(db, "2017-07-13", "7", "2")
    assert "a. Make the streamlining of services to young carers" in young["text"]
    assert young["addressee"] == "Cabinet Member for Children and Young People; Cabinet Member for Education and Skills"


@pytest.mark.parametrize("text, who", [
    ("recommend that the Cabinet Member for Children and Young People investigate options", 
     "Cabinet Member for Children and Young People"),
    ("The Scrutiny Board make the following recommendations to the Cabinet Member for Children and Young People "
     "and Cabinet Member for Education and Skills", 
     "Cabinet Member for Children and Young People; Cabinet Member for Education and Skills"),
    ("RESOLVED that the Board recommends to Cabinet that the policy be adopted.", "Cabinet"),
    ("recommend to the Deputy Chief Executive (People), that a report be prepared", "Deputy Chief Executive (People)"),
    ("RESOLVED that the report be noted.", None),
    ("in which merger was formally recommended", None),
])
def test_addressee(text, who):
    assert addressee(text) == who


# ---------------------------------------------------------------------------- follow-ups

def test_young_carers_recommendations_link_to_the_briefing_note_response(db):
    rec = _rec(db, "2017-07-13", "7", "2")
    assert rec["status"] == "responded"
    [resp] = [f for f in rec["follow_ups"] if f["kind"] == "response"]
    assert resp["response"] == "Briefing note sent to Cabinet Members on 18/8/17"
    assert resp["meeting_date"] == "2017-09-14"
    assert resp["citation"]["meeting_date"] == "2017-09-14"
    assert "Briefing note sent to Cabinet Members on 18/8/17" in resp["citation"]["quote"]
    assert resp["detail"].startswith("a) Make the streamlining of services to young carers")
    # the timeline: the recommendation, then the response
    assert [e["kind"] for e in rec["timeline"]][:2] == ["recommendation", "response"]


def test_every_outstanding_issues_row_about_a_corpus_meeting_is_linked(db):
    """Rows naming 6 April and 13 July 2017 (whose minutes are in the corpus) each answer a point."""
    rows = db.query("SELECT * FROM tracker_rows WHERE kind='outstanding_issues' AND row_date IN "
                    "('2017-04-06', '2017-07-13')")
    assert len(rows) == 4 + 7
    linked = {r["source_id"] for r in db.query("SELECT source_id FROM tracker_followups WHERE kind='response'")}
    assert {r["id"] for r in rows} <= linked
    expect = {("2017-04-06", "73", "4"): "Briefing note sent to Cabinet Members 19/4/17",
              ("2017-04-06", "73", "6"): "For consideration next Municipal year.",
              ("2017-04-06", "73", "7"): "For consideration next Municipal year.",
              ("2017-07-13", "8", "1"): "Added to the work programme",
              ("2017-07-13", "8", "2"): "Information circulated to Members 17/7/17",
              ("2017-07-13", "8", "3"): "Meeting arranged",
              ("2017-07-13", "9", "1"): "Items added to the work programme",
              ("2017-07-13", "9", "2"): "Date and format of these reports to be agreed."}
    for (m, minute, point), text in expect.items():
        rec = _rec(db, m, minute, point)
        assert [f["response"] for f in rec["follow_ups"] if f["kind"] == "response"] == [text], (m, minute, point)
        assert rec["status"] == "responded"
    # blank Response/ Status cells: still outstanding, never "responded"
    for m, minute, point in [("2017-04-06", "73", "5"), ("2017-04-06", "75", None), ("2017-07-13", "9", "3")]:
        rec = _rec(db, m, minute, point)
        assert [f["response"] for f in rec["follow_ups"] if f["kind"] == "response"] == [None]
        stored = db.query("SELECT status FROM tracker_records WHERE id=?", (rec["id"],))[0][0]
        assert stored in ("outstanding", "scheduled")  # later discussion may still be found at query time


def test_scheduled_follow_ups_carry_the_planned_date(db):
    rec = _rec(db, "2019-11-28", "25", "2")
    plans = {(f["meeting_date"], f["planned_date"]) for f in rec["follow_ups"] if f["kind"] == "scheduled"}
    assert ("2020-01-09", "2020-04-02") in plans  # Retention of Social Workers – progress on recommendations
    assert rec["status"] == "scheduled"
    t_and_f = _rec(db, "2017-07-13", "9", "1")
    plans = {(f["meeting_date"], f["planned_date"]) for f in t_and_f["follow_ups"] if f["kind"] == "scheduled"}
    assert ("2017-09-14", "2018-03-01") in plans  # Task and Finish group – Retention of Social Workers
    for f in rec["follow_ups"] + t_and_f["follow_ups"]:
        assert f["citation"]["meeting_date"] == f["meeting_date"]


def test_status_comes_only_from_follow_ups(db):
    seen = set()
    for r in _records(db):
        kinds = [f["kind"] if f["kind"] != "response" or f["response"] else "tracked"
                 for f in db.query("SELECT kind, response FROM tracker_followups WHERE rec_id=?", (r["id"],))]
        assert r["status"] == status_of(kinds)
        seen.add(r["status"])
    assert {"responded", "scheduled", "outstanding", "no trace found"} <= seen
    assert status_of([]) == "no trace found"


def test_follow_up_citations_hold_their_evidence(db):
    for f in db.query("SELECT * FROM tracker_followups"):
        chunk = db.query("SELECT span_start, span_end, path FROM chunks WHERE id=?", (f["chunk_id"],))[0]
        assert chunk["path"] == f["path"]
        assert chunk["span_start"] <= f["span_start"] and f["span_end"] <= chunk["span_end"], f["source_id"]
        rec = db.query("SELECT meeting_date FROM tracker_records WHERE id=?", (f["rec_id"],))[0]
        assert f["meeting_date"] > rec["meeting_date"]  # a follow-up is always later


# ---------------------------------------------------------------------------- cross-references

def test_every_cross_reference_resolves_or_is_reported_outside(db):
    refs = cross_references(db)
    # every "minute N" written in the corpus's minutes and reports is listed once
    written = sum(len(re.findall(r"\b(?:[Ff]urther to )?[Mm]inutes? (?:No\.? ?)?\d{1,3}(?:/\d{2,4})?\b",
                                 p.read_text(encoding="utf-8"))) for p in CORPUS.glob("*.txt"))
    assert len(refs) == written == 8
    assert {x["status"] for x in refs} <= {"resolved", "outside_corpus"}
    by_text = {x["text"]: x for x in refs}
    assert by_text["minute 75"]["status"] == "resolved"
    assert by_text["minute 75"]["target_item_id"] == f"{BOARD}/2017-04-06/minute-75"
    for text, year in [("Further to minute 28/16", "2016/17"), ("Further to minute 67/16", "2016/17"),
                       ("Further to Minute 3/17", "2017/18"), ("Further to minute 19/19", "2019/20"),
                       ("Further to minute 20/19", "2019/20"), ("Further to minute 34/19", "2019/20"),
                       ("Minute 21", "2022/23")]:
        x = by_text[text]
        assert (x["status"], x["municipal_year"]) == ("outside_corpus", year), text
        assert "not in the corpus" in x["reason"]
        assert x["citation"] is not None


def test_municipal_years():
    assert municipal_year(date(2019, 5, 1)) == 2019
    assert municipal_year(date(2020, 4, 30)) == 2019
    assert municipal_label(2019) == "2019/20"
    assert municipal_label(1999) == "1999/00"


@pytest.mark.parametrize("label, near, expected", [
    ("16th June 16", date(2017, 4, 27), date(2016, 6, 16)),
    ("13th July 2017 – 10am", date(2017, 9, 14), date(2017, 7, 13)),
    ("28th November 2019 - Coventry College", date(2020, 1, 9), date(2019, 11, 28)),
    ("Wednesday 24th March – SB2 invited to SB5", date(2021, 3, 11), date(2021, 3, 24)),
    ("10th Nov 16", date(2017, 4, 27), date(2016, 11, 10)),
    ("Date to be decided", date(2020, 1, 9), None),
    ("2020/21", date(2020, 1, 9), None),
])
def test_row_dates(label, near, expected):
    assert row_date(label, near) == expected


# ---------------------------------------------------------------------------- the build

def test_rebuild_is_fast_and_idempotent(api_index_dir, tmp_path):
    gen = api_index_dir / (api_index_dir / "CURRENT").read_text().strip()
    shutil.copy(gen / "meta.sqlite", tmp_path / "meta.sqlite")
    con = sqlite3.connect(tmp_path / "meta.sqlite")
    con.row_factory = sqlite3.Row
    dump = lambda: [tuple(r) for t in ("tracker_records", "tracker_followups", "tracker_xrefs", "tracker_rows")  # noqa: E731
                    for r in con.execute(f"SELECT * FROM {t} ORDER BY 1, 2")]
    before = dump()
    t0 = time.perf_counter()
    assert rebuild_tracker(con) == []
    assert time.perf_counter() - t0 < 3.0
    assert dump() == before


# ---------------------------------------------------------------------------- library and CLI

def test_find_recommendations_by_words(db):
    recs = find_recommendations(db, "young carers")
    assert recs and all(r["meeting_date"] == "2017-07-13" for r in recs)
    assert recs[0]["id"].endswith("minute-7/point-2") or any(r["id"].endswith("minute-7/point-2") for r in recs)
    assert find_recommendations(db, "zeppelin tram extension") == []
    everything = find_recommendations(db, "", limit=1000)
    assert len(everything) == sum(POINTS.values())
    for r in everything:
        assert {"id", "meeting_date", "minute", "point", "text", "addressee", "status", "citation", "follow_ups",
                "timeline"} <= set(r)
        assert r["timeline"][0]["kind"] == "recommendation"
        assert r["timeline"] == sorted(r["timeline"], key=lambda e: e["meeting_date"])


def test_recommendation_page_and_unknown_id(db):
    rec = recommendation(db, f"{BOARD}/2019-11-28/minute-25/point-2")
    assert rec["timeline"][0]["citation"]["id"] == rec["citation"]["id"]
    for e in rec["timeline"]:
        assert set(e) >= {"meeting_date", "kind", "text", "citation"}
        assert e["kind"] in ("recommendation", "response", "scheduled", "cross_reference", "discussed")
    with pytest.raises(NotFound):
        recommendation(db, f"{BOARD}/2019-11-28/minute-99/point-1")


def test_cli_recommendations_and_cross_references(api_index_dir):
    import json

    from click.testing import CliRunner

    from indexer.cli import main

    runner = CliRunner()
    env = {"COUNCIL_INDEX_DIR": str(api_index_dir), "COUNCIL_MODEL": "hash-32"}
    out = runner.invoke(main, ["recommendations", "young carers", "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert any(r["status"] == "responded" for r in data["recommendations"])
    out = runner.invoke(main, ["recommendations", "young carers"], env=env)
    assert out.exit_code == 0 and "Briefing note sent to Cabinet Members on 18/8/17" in out.output
    out = runner.invoke(main, ["cross-references", "--json"], env=env)
    assert out.exit_code == 0 and len(json.loads(out.output)) == 8
    out = runner.invoke(main, ["recommendations", "x", "--index-dir", "/nonexistent/index"])
    assert out.exit_code == 2 and "Traceback" not in out.output


def test_adding_a_pack_gives_the_tables_and_word_counts_of_a_build_from_scratch(tmp_path, caplog):
    """update_index of one more pack starts the word statistics from the stored ones (and BM25 from
    the stored term counts); both must equal what indexing every pack at once gives."""
    from indexer.embed.hashing import HashEmbedder
    from indexer.store.index import update_index

    packs = sorted(CORPUS.glob("*.txt"))
    update_index(tmp_path / "grown", [(p, CORPUS) for p in packs[:-1]], HashEmbedder())
    with caplog.at_level("INFO", logger="indexer.store"):
        update_index(tmp_path / "grown", [(p, CORPUS) for p in packs], HashEmbedder())
    said = [r.getMessage() for r in caplog.records]
    assert any("term counts reused" in m and not m.startswith("lexical: 0 ") for m in said), said
    assert any("from the stored ones" in m for m in said), said
    update_index(tmp_path / "whole", [(p, CORPUS) for p in packs], HashEmbedder())

    def tables(d):
        con = sqlite3.connect(d / (d / "CURRENT").read_text().strip() / "meta.sqlite")
        out = {t: sorted(tuple(r) for r in con.execute(f"SELECT * FROM {t}"))
               for t in ("tracker_words", "tracker_meta", "tracker_records", "tracker_followups", "tracker_rows")}
        con.close()
        return out

    grown, whole = tables(tmp_path / "grown"), tables(tmp_path / "whole")
    assert grown["tracker_words"] and grown == whole
