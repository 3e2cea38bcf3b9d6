"""The answer evaluation: its question set, and how an answer is scored."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from indexer.evaluate import answers as av

REPO = Path(__file__).resolve().parents[2]
QUESTIONS = REPO / "eval" / "answers.jsonl"


def test_the_answer_set_is_as_the_issue_asks():
    qs = av.load_questions([QUESTIONS])
    assert len(qs) >= 150 and sum(not q.answerable for q in qs) >= 50
    held = [q for q in qs if q.split == "heldout"]
    assert abs(len(held) - len(qs) / 3) <= 3 and {q.split for q in qs} <= set(av.SPLITS)
    assert {q.type for q in qs} <= set(av.TYPES) and {q.kind for q in qs if not q.answerable} == {
        "not_given", "off_subject", "out_of_period"}
    for q in qs:
        assert (bool(q.facts) and bool(q.meetings)) == q.answerable, q.id
    lines = [json.loads(x) for x in QUESTIONS.read_text().splitlines() if x.strip()]
    assert all(x["written"] == "2026-12-07, before the answers were read" for x in lines)


def test_every_coventry_fact_is_in_the_papers():
    papers = " ".join(av.fold(p.read_text(encoding="utf-8")) for p in (REPO / "corpus").glob("*.txt"))
    for q in av.load_questions([QUESTIONS]):
        if q.layout == "coventry" and q.answerable:
            assert any(av.fold(f) in papers for f in q.facts), q.id


def _cite(n: int, date: str, text: str) -> dict:
    return {"id": f"c{n}", "meeting_date": date, "text": text, "text_clean": text, "citation": f"cite {n}"}


def test_a_fact_counts_only_with_a_citation_of_the_right_meeting():
    q = av.AnswerQuestion("a1", "How many?", "number", True, "x", "tune", ("61.2%",), ("2023-03-16",))
    right = {"answered": True, "answer": "GLD was 61.2% in Coventry. [1]",
             "citations": [_cite(1, "2023-03-16", "GLD was **61.2%** in Coventry.")], "timeline": []}
    wrong = {**right, "citations": [_cite(1, "2019-11-28", "GLD was 61.2% in Coventry.")]}
    assert av.fact_cited(q, right) and not av.fact_cited(q, wrong)
    assert not av.fact_cited(q, {**right, "answer": "GLD was 61.25% in Coventry. [1]"})  # whole numbers only
    assert not av.fact_cited(q, {**right, "answered": False})


def test_citations_must_be_in_first_use_order_and_verbatim():
    cites = [_cite(1, "d", "One sentence."), _cite(2, "d", "Two sentence.")]
    ok = {"answered": True, "answer": "One sentence. [1] Two sentence. [2]", "citations": cites}
    assert av.citations_ok(ok)
    assert not av.citations_ok({**ok, "answer": "Two sentence. [2] One sentence. [1]"})
    assert not av.citations_ok({**ok, "answer": "Three sentence. [1]"})
    assert not av.citations_ok({**ok, "citations": [cites[0], {**cites[1], "id": "c1"}]})
    story = {"answered": True, "answer": "28 November 2019, recommended: One sentence. [1]", "citations": cites[:1]}
    assert av.citations_ok(story)


def test_the_answer_section_keeps_the_retrieval_tables_and_the_notes():
    md = "# Retrieval evaluation\n\n| table |\n\n## Notes\n\nread by hand\n"
    notes = "## Notes\n\nread by hand\n"
    section = f"{av.START}\nanswers v1\n{av.END}\n"
    once = av.splice(md, section, notes)
    assert once.startswith("# Retrieval evaluation\n\n| table |") and once.endswith("\n" + notes) and "answers v1" in once
    twice = av.splice(once, f"{av.START}\nanswers v2\n{av.END}\n", notes)
    assert "answers v2" in twice and "answers v1" not in twice and twice.endswith("\n" + notes)
    rewritten = av.keep_section(twice, md, notes)
    assert "answers v2" in rewritten and rewritten.endswith("\n" + notes)


def test_rates_by_split_and_type():
    qa = av.AnswerQuestion("a", "q", "date", True, "x", "heldout", ("f",), ("d",))
    qu = av.AnswerQuestion("u", "q", "date", False, "x", "tune")
    rows = [av.Scored(qa, True, True, True, "a"), av.Scored(qu, False, False, True, "")]
    s = av.summary(rows)
    assert s["heldout"]["date"]["fact"] == 1 and s["tune"]["all"]["refused"] == 1 and s["both"]["all"]["given"] == 1
    assert Counter(s["both"]["layouts"]) == Counter({"x": s["both"]["all"]})
