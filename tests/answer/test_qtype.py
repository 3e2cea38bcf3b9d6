"""What a question asks for, whether a sentence holds it, and whether its subject is there in meaning."""

from __future__ import annotations

import pytest

from indexer.answer.abstain import subject_missing
from indexer.answer.qtype import figure_for_focus, holds_answer, in_resolution, question_type
from indexer.common.text import Idf


@pytest.mark.parametrize("q, kind", [
    ("How many social workers left?", "number"), ("How much did the cafe cost?", "number"),
    ("What percentage of children achieved a good level of development?", "number"),
    ("What was the average social worker caseload at 30 September 2019?", "number"),
    ("When does Reading Well for Children launch?", "date"), ("Since when have the hubs been open?", "date"),
    ("Who chaired the meeting?", "who"), ("Which consultants were appointed for the study?", "who"),
    ("What did the board resolve about the merger?", "decision"), ("What was agreed on swimming?", "decision"),
    ("Why were items paused?", "reason"),
    ("What happened to the social worker retention recommendation?", "story"),
    ("What progress has been made on the junctions?", "story"),
    ("Which city in China did the council approve a visit to?", "open"),
])
def test_question_types(q, kind):
    assert question_type(q).kind == kind


def test_a_figure_must_be_for_the_thing_counted():
    qt = question_type("How many Madrasah teachers received Level 1 safeguarding training?")
    assert qt.focus[-1] == "teacher"
    assert not figure_for_focus(qt, "The project includes Level 1 training for Madrasah teachers.")  # a label
    assert figure_for_focus(qt, "In all 42 Madrasah teachers were trained.")
    qt = question_type("How many new foster carers did Coventry recruit in 2018?")
    assert not figure_for_focus(qt, "100 more foster care placements by March 2018")  # a neighbouring figure
    qt = question_type("How many children were referred to the programme?")
    assert not figure_for_focus(qt, "Family Hubs deliver early help to children aged 0-19.")  # describes, does not count
    assert figure_for_focus(question_type("How many visitors did Central Library have?"),
                            "Central — Visitors: 356,583; Issues: 221,054")


def test_a_date_must_be_for_the_event_asked_about():
    qt = question_type("When will the council's new children's residential home open?")
    assert not holds_answer(qt, "In December 2016 scrutiny found a home had no registered manager.")
    assert holds_answer(qt, "The new home will open in May 2018.")


def test_a_decision_is_the_resolved_point():
    passage = "The Board discussed the merger.\nRESOLVED that the Board:\n1. Note the report\n2. Request a map of providers"
    assert in_resolution("Request a map of providers", passage)
    assert not in_resolution("The Board discussed the merger.", passage)
    assert in_resolution("On the proposal of Cllr A it was agreed to defer this Item.", "")


def test_subject_words_must_be_there_in_meaning():
    idf = Idf(["in the light of the report", "the report was noted", "the budget was set"] * 20 +
              ["street lighting was replaced", "school places"])
    q = "What did the board say about street lighting?"
    assert subject_missing(q, "In the light of the report, the board agreed.", "In the light of the report.", idf)
    assert subject_missing(q, "Street lighting was replaced.", "Street lighting was replaced.", idf) is None
    assert subject_missing("How many schools have RAAC concrete?", "Schools were surveyed.", "Schools.", idf)


def test_subject_words_are_the_questions_nouns_met_in_any_inflection():
    idf = Idf(["the report was noted", "the budget was set", "the board met"] * 20 +
              ["the chair will speak for the college", "women made up most of the workforce", "school places"])
    # a verb the papers word their own way is not the subject ("told", "pays", "roughly")
    assert subject_missing("What has the board been told about school places?", "School places were noted.",
                           "School places were noted.", idf) is None
    # an irregular form meets its lemma: "spoke" -> speak, "women" -> woman
    assert subject_missing("Who spoke for the college?", "The chair will speak for the college.",
                           "The chair will speak for the college.", idf) is None
    assert subject_missing("What share of the workforce are women?", "A woman chaired it.",
                           "A woman chaired it; the workforce grew.", idf) is None
    # a noun the papers never use is still missing, whatever else matches
    assert subject_missing("What did the board say about the airport budget?", "The budget was set.",
                           "The budget was set.", idf) == "airport"


def test_names_a_thing():
    from indexer.common.pos import lemmas, names_a_thing

    assert all(names_a_thing(w) for w in ("airport", "lighting", "uniform", "RAAC", "Saplings", "women"))
    assert not any(names_a_thing(w) for w in ("told", "pays", "roughly", "worst", "anyone", "heard"))
    assert lemmas("spoke") >= {"speak"} and lemmas("women") == {"woman"}
