"""Query-intent signals in search (indexer/retrieve/signals/): abbreviations, decisions, recency, attendance.

The regexes are unit-tested; each signal is then checked on the real corpus and model (conftest's
cached real_index_dir) against the same search without it. `council eval` measures them."""

from __future__ import annotations

import pytest

from indexer.common.results import Filters
from indexer.retrieve.search import RetrievalConfig, _boost, search
from indexer.retrieve.signals.attendance import ATTENDANCE_IN_QUERY
from indexer.retrieve.signals.decision import DECISION_IN_QUERY
from indexer.retrieve.signals.recency import RECENT_IN_QUERY


@pytest.mark.parametrize("query, decision, recent, attendance", [
    ("what did the board resolve about young carers?", True, False, False),
    ("what was agreed on the Ofsted action plan", True, False, False),
    ("what did members ask for after the early years item", True, False, False),
    ("when was children's services last inspected?", False, True, False),
    ("latest figures for looked after children", False, True, False),
    ("who came from the Carers Trust?", False, False, True),
    ("who attended the meeting in July 2017", False, False, True),
    ("school attendance in 2019", False, False, False),  # a subject, not who was at the meeting
    ("persistent absence and attendance at primary schools", False, False, False),
    ("how many social workers were there in 2019", False, False, True),
])
def test_intents_are_read_from_the_query(query, decision, recent, attendance):
    assert bool(DECISION_IN_QUERY.search(query)) is decision
    assert bool(RECENT_IN_QUERY.search(query)) is recent
    assert bool(ATTENDANCE_IN_QUERY.search(query)) is attendance


def test_recency_adds_more_the_later_the_meeting_and_only_when_asked():
    rows = {1: {"date": "2017-04-06", "item_id": "b/2017/item-1", "kind": "agenda", "number": "1", "item_title": "x"},
            2: {"date": "2020-01-09", "item_id": "b/2020/item-1", "kind": "agenda", "number": "1", "item_title": "x"},
            3: {"date": "2023-03-16", "item_id": "b/2023/item-1", "kind": "agenda", "number": "1", "item_title": "x"}}
    cfg = RetrievalConfig(minute_boost=0, date_boost=0, recency_boost=0.4, attendance_boost=0)
    fused = {1: 1.0, 2: 1.0, 3: 1.0}
    _boost(fused, rows, "when was it last inspected", cfg)
    assert fused == pytest.approx({1: 1.0, 2: 1.2, 3: 1.4})
    fused = {1: 1.0, 2: 1.0, 3: 1.0}
    _boost(fused, rows, "when was it inspected", cfg)
    assert fused == {1: 1.0, 2: 1.0, 3: 1.0}


# ---------------------------------------------------------------------------- real model

@pytest.fixture(scope="module")
def real_index(real_index_dir):
    from indexer.store.index import Index

    index = Index.open(real_index_dir)
    yield index
    index.close()


def _rank(results, phrase: str) -> int | None:
    return next((i for i, r in enumerate(results, 1) if phrase in " ".join(r.text.split())), None)


@pytest.mark.real_model
def test_an_abbreviation_finds_the_passage_that_spells_it_out(real_index):
    q = "when did the DfE lift its intervention in Coventry children's services?"
    phrase = "the Department for Education removed the intervention"
    on = search(real_index, q, 10, Filters(), RetrievalConfig())
    off = search(real_index, q, 10, Filters(), RetrievalConfig(acronyms=0))
    assert _rank(on, phrase) is not None and _rank(on, phrase) <= 5
    assert _rank(off, phrase) is None or _rank(off, phrase) > _rank(on, phrase)


@pytest.mark.real_model
def test_a_question_about_a_decision_prefers_the_resolution(real_index):
    q = "what did the board ask for after the early years and school readiness item in November 2019?"
    phrase = "Request a map with providers of early years provision"
    on = search(real_index, q, 10, Filters(), RetrievalConfig())
    off = search(real_index, q, 10, Filters(), RetrievalConfig(decision_boost=0))
    assert _rank(on, phrase) is not None and _rank(on, phrase) <= 3
    assert _rank(off, phrase) is None or _rank(off, phrase) > _rank(on, phrase)


@pytest.mark.real_model
def test_a_question_about_who_came_finds_the_attendance_list(real_index):
    q = "who came from the Carers Trust to the young carers discussion?"
    phrase = "By Invitation: P Collard – Carers Trust"
    on = search(real_index, q, 10, Filters(), RetrievalConfig())
    off = search(real_index, q, 10, Filters(), RetrievalConfig(attendance_boost=0))
    assert _rank(on, phrase) is not None and _rank(on, phrase) <= 2
    assert _rank(off, phrase) is None or _rank(off, phrase) > _rank(on, phrase)
