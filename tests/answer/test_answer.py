"""Answers: sentence splitting, the answer contract, abstention, timelines.

Most tests use the hash-embedder index (conftest's api_index); the ``real_model`` tier uses
all-MiniLM-L6-v2 on corpus/ (conftest's cached real_index_dir) for what only a real model
can show: the follow-up timeline and the abstention rates on eval/gold.jsonl.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from indexer.answer.ask import FOLLOW_UP_RE, ask
from indexer.answer.compose import strip_label
from indexer.answer.display import display_text
from indexer.common.clean import clean_text
from indexer.common.text import norm, sentences
from indexer.retrieve.search import result_by_chunk_id
from indexer.common.results import BadQuery, Filters
from indexer.common.settings import Settings

GOLD = Path(__file__).resolve().parents[2] / "eval" / "gold.jsonl"
BOARD_NAME = "Education and Children's Services Scrutiny Board (2)"
MARKERS = re.compile(r"((?:\[\d+\])+)")


def answer_parts(answer: str) -> list[tuple[str, list[int]]]:
    """("sentence", [citation numbers]) pairs of an answer "S1 [1] S2 [2][3]"."""
    bits = MARKERS.split(answer)
    out = []
    for text, marks in zip(bits[0::2], bits[1::2]):
        out.append((text.strip(), [int(n) for n in re.findall(r"\d+", marks)]))
    assert not bits[-1].strip(), f"text after the last marker: {bits[-1]!r}"
    return out


def assert_verbatim(out: dict, index=None) -> None:
    """Every answer sentence is quoted, verbatim after cleaning (markup dropped, table rows as
    "column: value" pairs), from each passage its markers point to; a story line's dated label is
    ours, the rest is quoted. Markers are numbered by first use from [1] and no passage is cited
    twice. With ``index``, each citation's cleaned text is recomputed from its verbatim text."""
    if not out["answered"]:
        return
    parts = answer_parts(out["answer"])
    assert parts, out
    first_use = list(dict.fromkeys(n for _, numbers in parts for n in numbers))
    assert first_use == list(range(1, len(first_use) + 1)), (first_use, out["question"])
    assert len({c["id"] for c in out["citations"]}) == len(out["citations"])
    assert len({norm(c["text"]) for c in out["citations"]}) == len(out["citations"])
    for c in out["citations"]:
        if index is not None:
            assert c["text_clean"] == display_text(index, result_by_chunk_id(index, c["id"]))
    for sentence, numbers in parts:
        assert numbers, sentence
        quote = strip_label(sentence)
        for n in numbers:
            assert 1 <= n <= len(out["citations"]), (n, out["question"])
            assert quote in norm(out["citations"][n - 1]["text_clean"]), (sentence, out["question"])


# ---------------------------------------------------------------------------- sentences

@pytest.mark.parametrize("text, expected", [
    ("Officers agreed, e.g. on visits. Cllr. Smith agreed.", ["Officers agreed, e.g. on visits.", "Cllr. Smith agreed."]),
    ("Councillor M. Mutton chaired. It closed at 4.00 pm.", ["Councillor M. Mutton chaired.", "It closed at 4.00 pm."]),
    ("- 8.2 Coventry wants good outcomes. The pressure of numbers grew.",
     ["Coventry wants good outcomes.", "The pressure of numbers grew."]),
    ("1.1 The budget is £1.5m. Section 2. Scope", ["The budget is £1.5m.", "Section 2.", "Scope"]),
    ("- 1) **Note the report**\n- a. Make the streamlining of services a priority",
     ["Note the report", "Make the streamlining of services a priority"]),
    ("The figure was 87% (see No. 4) in total, i.e. Not more. Then 5.", ["The figure was 87% (see No. 4) in total, i.e. Not more.", "Then 5."]),
    ("A paragraph broken over a\n\npage continues here. Next.", ["A paragraph broken over a page continues here.", "Next."]),
    ("Year\t2013/14\t2014/15\nCoventry\t629\t587", ["Year 2013/14 2014/15", "Coventry 629 587"]),
])
def test_sentences(text, expected):
    assert sentences(text) == expected


def test_every_sentence_of_every_passage_is_verbatim(api_index):
    for (text,) in api_index.query("SELECT text FROM chunks"):
        whole = norm(text)
        for s in sentences(text):
            assert s in whole
        cleaned = clean_text(text)
        for s in sentences(cleaned):  # what answers quote: verbatim after cleaning
            assert s in norm(cleaned)


@pytest.mark.parametrize("q", [
    "What happened to the social worker retention recommendation?", "progress on the young carers review",
    "was the CAF IT alignment done?", "when does the young carers item come back to scrutiny?",
    "follow up on private fostering", "did the request get a response?",
    "how did the plan to hand oversight to the partnership progress?",
])
def test_follow_up_questions_are_recognised(q):
    assert FOLLOW_UP_RE.search(q)


@pytest.mark.parametrize("q", ["how many social workers did the council employ in 2019?", "who heads the libraries service?"])
def test_other_questions_are_not_follow_ups(q):
    assert not FOLLOW_UP_RE.search(q)


# ---------------------------------------------------------------------------- the contract (hash index)

def test_answer_contract(api_index):
    out = ask(api_index, "how many social workers did the council employ in 2019?", settings=Settings(abstain_threshold=-1))
    assert {"question", "answered", "answer", "citations", "timeline"} <= set(out)
    assert out["question_type"] == "number"
    assert out["answered"] is True and out["timeline"] == []
    assert 1 <= len(out["citations"]) <= 5
    for c in out["citations"]:
        assert {"id", "score", "text", "committee", "meeting_date", "doc_type", "item", "source", "citation"} <= set(c)
    assert_verbatim(out, api_index)


def test_abstention_says_what_was_searched(api_index):
    never = Settings(abstain_threshold=2.0)
    out = ask(api_index, "what did the board decide about the tram extension?", Filters(committee="Education"), never)
    related = out.pop("related")
    assert out == {"question": "what did the board decide about the tram extension?", "answered": False,
                   "question_type": "decision",
                   "answer": f"No passage in the papers searched ({BOARD_NAME}, 6 April 2017 \u2013 16 March 2023) "
                             "answers this.", "citations": [], "timeline": []}
    assert 1 <= len(related) <= 3 and all({"id", "citation", "text_clean"} <= set(r) for r in related)
    out = ask(api_index, "tram extension", Filters(committee="Education", date_from=__import__("datetime").date(2019, 1, 1),
                                                   doc_type="minutes"), never)
    assert out["answer"] == (f"No passage in the papers searched ({BOARD_NAME}, 28 November 2019 \u2013 16 March 2023, "
                             "minutes only) answers this.")


def test_a_quoted_sentence_unlike_the_question_is_no_answer(api_index):
    """The passage may be near enough while the sentence picked from it is not: then the answer
    would quote something that does not address the question, so there is none."""
    from indexer.answer.ask import abstain_reason
    from indexer.answer.extract import answer_sentences
    from indexer.retrieve.search import search

    q = "social worker retention"
    results = search(api_index, q, 5)
    found = answer_sentences(api_index, q, results)
    assert found["sentences"] and found["best_sentence"] > 0
    far = {**found, "best_passage": 0.9, "best_sentence": 0.2}
    assert abstain_reason(api_index, q, Filters(), results, far, 0.36) == "best quoted sentence cosine 0.200 < 0.36"
    near = {**far, "best_sentence": 0.5}
    assert not (abstain_reason(api_index, q, Filters(), results, near, 0.36) or "").startswith("best quoted")


def test_a_meeting_the_papers_do_not_hold_is_no_answer(api_index):
    """What a meeting resolved can only come from its papers: a work-programme line planning it
    does not say what happened there."""
    from indexer.answer.ask import abstain_reason
    from indexer.answer.extract import answer_sentences
    from indexer.retrieve.search import search

    for q, held in (("what did the board resolve about social worker retention at its 3 December 2020 meeting?", False),
                    ("what did the board resolve about social worker retention at its 28 November 2019 meeting?", True)):
        results = search(api_index, q, 5)
        found = {**answer_sentences(api_index, q, results), "best_passage": 0.9, "best_sentence": 0.9}
        why = abstain_reason(api_index, q, Filters(), results, found, 0.36) or ""
        assert (why == "no meeting on 3 December 2020 in the papers searched") is not held, why
    from indexer.answer.ask import abstention_text

    assert abstention_text("no meeting on 3 December 2020 in the papers searched", "SB2, 2017 – 2023") == (
        "The papers searched (SB2, 2017 – 2023) hold no meeting on 3 December 2020, so they cannot say what "
        "happened at it.")
    assert abstention_text("word coverage 0.10 < 0.22", "SB2") == "No passage in the papers searched (SB2) answers this."
    from indexer.answer.ask import _meeting_held

    when = __import__("datetime").date(2019, 11, 28)
    assert _meeting_held(api_index, when, Filters()) and _meeting_held(api_index, when, Filters(committee="Education"))
    assert not _meeting_held(api_index, when, Filters(committee="Cabinet"))  # not among the papers searched


@pytest.mark.real_model
def test_best_sentence_is_the_cosine_of_the_quoted_sentences_passage(real_index):
    """Sentences are not embedded at question time (/ask as fast as /search): the first quoted
    sentence scores its passage's cosine to the question."""
    from indexer.answer.extract import answer_sentences, passage_vectors
    from indexer.retrieve.search import search

    q = "how many social workers did Coventry employ in September 2019?"
    results = search(real_index, q, 5)
    found = answer_sentences(real_index, q, results)
    first_passage = results[found["sentences"][0][1][0] - 1].id
    cosine = float(passage_vectors(real_index, [first_passage])[first_passage] @ real_index.query_vector(q))
    assert found["best_sentence"] == pytest.approx(cosine, abs=1e-5)
    assert found["best_sentence"] >= 0.36


def test_restricted_passages_are_never_quoted(api_index):
    s = Settings(abstain_threshold=-1)
    out = ask(api_index, "sale of the old bus depot to Zephyrine Holdings", settings=s)
    assert "Zephyrine" not in json.dumps([out["answer"], out["citations"], out["timeline"]])
    member = ask(api_index, "sale of the old bus depot to Zephyrine Holdings", Filters(include_restricted=True), s)
    assert any("Zephyrine" in c["text"] for c in member["citations"])


def test_bad_questions_are_refused(api_index):
    with pytest.raises(BadQuery):
        ask(api_index, "   ")


def test_follow_up_question_gets_a_dated_timeline(api_index):
    out = ask(api_index, "what response was there to the July 2017 young carers recommendations?",
              settings=Settings(abstain_threshold=-1))
    kinds = [(e["meeting_date"], e["kind"]) for e in out["timeline"]]
    assert ("2017-07-13", "recommendation") in kinds and ("2017-09-14", "response") in kinds
    assert kinds == sorted(kinds, key=lambda mk: mk[0])
    for e in out["timeline"]:
        assert e["citation"]["meeting_date"] == e["meeting_date"]


def test_cli_ask(api_index_dir):
    from click.testing import CliRunner

    from indexer.cli import main

    env = {"COUNCIL_INDEX_DIR": str(api_index_dir), "COUNCIL_MODEL": "hash-32", "COUNCIL_ABSTAIN_THRESHOLD": "-1"}
    out = CliRunner().invoke(main, ["ask", "how many social workers did the council employ in 2019?", "--json"], env=env)
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["answered"] and data["citations"]
    out = CliRunner().invoke(main, ["ask", "what response was there to the young carers recommendations?"], env=env)
    assert out.exit_code == 0 and "Sources:" in out.output and "Timeline:" in out.output
    out = CliRunner().invoke(main, ["ask", "x", "--from", "yesterday"], env=env)
    assert out.exit_code == 2 and "Traceback" not in out.output


# ---------------------------------------------------------------------------- real model

@pytest.fixture(scope="module")
def real_index(real_index_dir):
    from indexer.store.index import Index

    index = Index.open(real_index_dir)
    yield index
    index.close()


@pytest.fixture(scope="module")
def gold_answers(real_index) -> list[tuple[dict, dict]]:
    gold = [json.loads(line) for line in GOLD.read_text().splitlines() if line.strip()]
    return [(g, ask(real_index, g["question"], settings=Settings())) for g in gold]


SOCIAL_WORKER_TIMELINE = [
    # (meeting_date, kind, words the entry's passage holds)
    ("2017-04-27", "scheduled", "Recruitment and Retention of Social Work Staff (task and finish group)"),
    ("2017-07-13", "recommendation", "progress on the Retention of Social Workers Task and Finish group"),
    ("2017-09-14", "scheduled", "Task and Finish group – Retention of Social Workers - recommendations"),
    ("2019-11-28", "recommendation", "investigate options including scope for collaborative working with other Local Authorities"),
    ("2020-01-09", "scheduled", "Retention of Social Workers – progress on recommendations"),
    ("2021-01-28", None, "recruitment and retention"),
    ("2021-03-11", None, "recruitment and retention of"),
    ("2023-03-16", "discussed", "Staffing recruitment and retention was challenging"),
]


@pytest.mark.real_model
def test_social_worker_retention_timeline(real_index):
    out = ask(real_index, "What happened to the social worker retention recommendation?")
    assert out["answered"]
    timeline = out["timeline"]
    assert [e["meeting_date"] for e in timeline] == sorted(e["meeting_date"] for e in timeline)
    position = -1
    for when, kind, words in SOCIAL_WORKER_TIMELINE:
        hits = [i for i, e in enumerate(timeline) if e["meeting_date"] == when and (kind is None or e["kind"] == kind)
                and words in norm(e["citation"]["quote"]) and e["citation"]["meeting_date"] == when]
        assert hits, f"no {kind or 'entry'} on {when} citing {words!r}: " + json.dumps(
            [(e["meeting_date"], e["kind"], e["text"][:80]) for e in timeline], indent=1)
        assert max(hits) > position  # in date order
        position = min(h for h in hits if h > position)
    planned = {e["planned_date"] for e in timeline if e["kind"] == "scheduled"}
    assert {"2018-03-01", "2020-04-02"} <= planned


@pytest.mark.real_model
def test_abstention_on_the_gold_set(gold_answers):
    """At least 0.9 of the unanswerable questions get no answer, and at least 0.85 of the answerable
    ones get one. Measured with the defaults: 13 of 13 refused and 87 of 101 answered (issue 6's
    looser checks answered 99 of 101 but let through answers about other things; issue 19's
    subject, figure and period checks answered 56, then 73, and 87 once subject words were the
    question's nouns, met in any inflection). Issue 19's goal of 0.9 answered is not met. The checks
    were chosen on this set; eval/results.md gives the held-out rates."""
    unanswerable = [out for g, out in gold_answers if not g["answerable"]]
    answerable = [out for g, out in gold_answers if g["answerable"]]
    abstained = sum(not out["answered"] for out in unanswerable)
    answered = sum(out["answered"] for out in answerable)
    assert abstained / len(unanswerable) >= 0.9, [o["question"] for o in unanswerable if o["answered"]]
    assert answered / len(answerable) >= 0.85, [o["question"] for o in answerable if not o["answered"]]


@pytest.mark.real_model
def test_every_gold_answer_quotes_its_citations(gold_answers):
    for _, out in gold_answers:
        assert_verbatim(out)
        for e in out["timeline"]:
            assert e["citation"] is not None and e["citation"]["meeting_date"] == e["meeting_date"]


@pytest.mark.real_model
def test_a_records_status_is_the_same_in_the_list_and_on_its_page(real_index):
    """The list's status counts later discussion as the record's page does: a recommendation later
    discussed in the papers is "discussed" in both places, and the list then shows that discussion
    (a status never rests on a follow-up the record does not list)."""
    from collections import Counter

    from indexer.answer.recommendations import find_recommendations, recommendation

    listed = find_recommendations(real_index, "", limit=500)
    assert listed
    for r in listed:
        if r["status"] == "discussed":
            assert any(f["kind"] == "discussed" for f in r["follow_ups"]), r["id"]
    pages = {r["id"]: recommendation(real_index, r["id"]) for r in listed}
    assert [(r["id"], r["status"]) for r in listed] == [(i, p["status"]) for i, p in pages.items()]
    assert Counter(r["status"] for r in listed)["discussed"] == sum(
        1 for p in pages.values() if p["status"] == "discussed") > 0
