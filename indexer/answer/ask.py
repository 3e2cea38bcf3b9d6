"""Answers: ``ask(index, question, filters, settings) -> dict`` in the answer contract.

{ "question": str, "answered": bool, "answer": str, "question_type": str,
  "citations": [result objects as in the retrieval contract, each with "text_clean"],
  "timeline": [ {"meeting_date", "kind", "text", "citation"} ],
  "related": [result objects: on a refusal, the closest passages, "related, not an answer"] }

The answer is extractive. The question's type (:mod:`indexer.answer.qtype`: number, date, who,
decision, reason, story, open) decides what the first sentence must hold; it is quoted verbatim
from a passage as the member reads it (cleaned of conversion debris, tables as "column: value"
rows: :mod:`indexer.answer.display`), then at most two supporting sentences
(:mod:`indexer.answer.extract`). Each sentence is followed by ``[n]`` markers; citations are
numbered in order of first use (:mod:`indexer.answer.compose`). A story question ("what happened
to X") with a tracker timeline is answered by dated lines built from it, each cited.

The system refuses (``answered: false``) when the passages found do not answer the question
actually asked (:func:`abstain_reason`; the checks are in :mod:`indexer.answer.abstain`): the
best passage or quoted sentence is far from the question (cosine below
``settings.abstain_threshold``); the words that carry the question's subject are not in the
quoted passage in meaning ("light" in "in the light of" is no street lighting); it asks about a
period after the papers, or a meeting they do not hold; a number, date or name is asked for and
no sentence holds one for the thing asked; a figure quoted is for another period. The rules and
their thresholds were chosen on the tuning part of ``eval/answers.jsonl``; the held-out part's
rates are in ``eval/results.md``. A threshold of 0 or less turns refusal off.

Follow-up questions also get a timeline from the recommendations tracker (built by
:mod:`indexer.store.tracker`), read by :mod:`indexer.answer.timeline` and
:mod:`indexer.answer.recommendations`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import date

from indexer.answer.abstain import (
    COVERAGE_MIN, after_scope, before_scope, meeting_asked, month_asked, other_period, subject_missing,
    time_supported, weighted_share,
)
from indexer.answer.compose import number_citations, story
from indexer.answer.extract import answer_sentences, neighbours
from indexer.answer.generate import generative_answer
from indexer.answer.qtype import FOLLOW_UP_RE
from indexer.answer.timeline import question_timeline
from indexer.common.acronyms import Aliases
from indexer.common.dates import long_date
from indexer.common.results import Filters, SearchResult, check_query
from indexer.common.text import content_words, question_words
from indexer.retrieve.search import RetrievalConfig, search
from indexer.store.index import Index

log = logging.getLogger(__name__)

DEFAULT_ABSTAIN = 0.36  # cosine of the best passage; settings.abstain_threshold overrides it
TYPED_RELIEF = 0.06  # a quoted sentence holding the kind of answer asked for may be this much further from it
# The subject-word check is for answers that are near the question's words but not its meaning.
# A quoted sentence this near the question in meaning (its passage's cosine) is not checked for
# subject words: the passage is about the question's subject in its own words. Chosen on the
# tuning part of eval/answers.jsonl and on eval/gold.jsonl (eval/abstention.md).
SUBJECT_COS = 0.6
RELATED = 3  # passages offered as "related, not an answer" with a refusal

def scope(index: Index, filters: Filters) -> tuple[list[str], date | None, date | None]:
    """The committees, first and last meeting dates the filters let a search see."""
    rows = index.meeting_span(filters)
    if not rows:
        return [], None, None
    return (sorted(r["committee"] for r in rows), min(date.fromisoformat(r["lo"]) for r in rows),
            max(date.fromisoformat(r["hi"]) for r in rows))


def searched_scope(index: Index, filters: Filters) -> str:
    """"Education and Children's Services Scrutiny Board (2), 6 April 2017 – 16 March 2023"."""
    names, lo, hi = scope(index, filters)
    if not names:
        return "no meetings match the filters"
    who = names[0] if len(names) == 1 else (" and ".join(names) if len(names) == 2 else f"{len(names)} committees")
    span = long_date(lo) if lo == hi else f"{long_date(lo)} \u2013 {long_date(hi)}"
    kind = f", {filters.doc_type.replace('_', ' ')} only" if filters.doc_type else ""
    return f"{who}, {span}{kind}"



# ---------------------------------------------------------------------------- ask

def is_follow_up(question: str) -> bool:
    return bool(FOLLOW_UP_RE.search(question))


_KIND_ASKED = {"number": "figure", "date": "date", "who": "name of a person or body"}


def ask(index: Index, question: str, filters: Filters | None = None, settings=None, k: int = 5) -> dict:
    """An extractive answer with citations, a dated story for follow-up questions, or a refusal.
    With ``settings.llm_url`` set, a checked generative answer replaces the extractive one when
    one survives (:mod:`indexer.answer.generate`)."""
    question = check_query(question, k)
    filters = filters or Filters()
    cfg = RetrievalConfig.from_settings(settings) if settings is not None else RetrievalConfig()
    threshold = getattr(settings, "abstain_threshold", DEFAULT_ABSTAIN) if settings is not None else DEFAULT_ABSTAIN
    results = search(index, question, k, filters, cfg)
    aliases = Aliases(index.lexical.glossary.named(question) if cfg.acronyms else ())
    found = answer_sentences(index, question, results, aliases=aliases)
    qtype = found["qtype"].kind
    timeline: list[dict] = question_timeline(index, question, filters) if is_follow_up(question) else []
    lines, cited, cited_texts = story(index, timeline) if timeline else ([], [], [])
    why = None if lines else abstain_reason(index, question, filters, results, found, threshold, aliases)
    if why:
        log.info("abstain: %s", why)
        return {"question": question, "answered": False, "question_type": qtype,
                "answer": abstention_text(why, searched_scope(index, filters)), "citations": [], "timeline": [],
                "related": [_cite(r, t) for r, t in zip(results[:RELATED], found["texts"])]}
    if lines:  # the dated story, then the passages retrieved as further reading
        extra = [(r, t) for r, t in zip(results, found["texts"]) if r.id not in {c.id for c in cited}]
        answer, shown, texts = number_citations(lines, cited + [r for r, _ in extra], cited_texts + [t for _, t in extra])
    else:
        answer, shown, texts = number_citations(found["sentences"], results, found["texts"])
    if shown and getattr(settings, "llm_url", None):  # optional, off by default: indexer/answer/generate.py
        generated = generative_answer(question, shown, settings, index.idf())
        answer = generated or answer
        log.info("answer kind: %s", "generative" if generated else "extractive")
    return {"question": question, "answered": True, "question_type": qtype, "answer": answer,
            "citations": [_cite(r, t) for r, t in zip(shown, texts)], "timeline": timeline}


def _cite(r: SearchResult, text: str) -> dict:
    return {**r.to_dict(), "text_clean": text}


NO_MEETING = "no meeting on "
PERIOD = "period: "


def abstention_text(why: str, searched: str) -> str:
    """What the asker reads when there is no answer: what was searched, and the reason when it is
    one a reader can act on (the meeting or period asked about is not among the papers)."""
    if why.startswith(NO_MEETING):
        when = why[len(NO_MEETING):].split(" in the papers")[0]
        on = "in" if re.fullmatch(r"[A-Z][a-z]+ \d{4}", when) else "on"
        return f"The papers searched ({searched}) hold no meeting {on} {when}, so they cannot say what happened at it."
    if why.startswith(PERIOD):
        return (f"The papers searched ({searched}) do not cover {why[len(PERIOD):]}, so they cannot answer this. "
                "The passages below are related, not an answer.")
    if why.startswith("kind: "):
        return (f"No passage in the papers searched ({searched}) gives the {why[len('kind: '):]} asked for. "
                "The passages below are related, not an answer.")
    if why.startswith("subject: "):
        return (f"No passage in the papers searched ({searched}) is about {why[len('subject: '):]}. "
                "The passages below are the closest, related, not an answer.")
    return f"No passage in the papers searched ({searched}) answers this."


def abstain_reason(index: Index, question: str, filters: Filters, results: list[SearchResult], found: dict,
                   threshold: float, aliases: Aliases | None = None) -> str | None:
    """Why the passages found do not answer ``question`` (see :mod:`indexer.answer.abstain`), or None.
    A threshold of 0 or less never refuses. ``aliases``: the abbreviations the question names,
    either form of which counts as its words."""
    aliases = aliases or Aliases()
    if threshold <= 0:
        return None
    if not results:
        return "nothing retrieved"
    names, first, last = scope(index, filters)
    if after_scope(question, last) or before_scope(question, first):
        return f"{PERIOD}the period asked about"
    asked = meeting_asked(question)
    if asked is not None and not _meeting_held(index, asked, filters):
        return f"{NO_MEETING}{long_date(asked)} in the papers searched"
    month = month_asked(question) if found["qtype"].kind == "decision" else None
    if month is not None and not index.meeting_span(replace(filters, date_from=month[0], date_to=month[1])):
        return f"{NO_MEETING}{month[0]:%B %Y} in the papers searched"
    if found["best_passage"] < threshold:
        return f"best passage cosine {found['best_passage']:.3f} < {threshold:.2f}"
    sentence_min = threshold - (TYPED_RELIEF if found.get("holds") and found["qtype"].kind != "open" else 0.0)
    if found["sentences"] and found.get("best_sentence", 1.0) < sentence_min:
        return f"best quoted sentence cosine {found['best_sentence']:.3f} < {sentence_min:.2f}"
    near = neighbours(index, question, filters, 10)
    idf = index.idf()
    qwords = question_words(question)
    coverage = max((weighted_share(qwords, aliases.extend(set(content_words(r.text))), idf)
                    for r in near[:5] + results), default=0.0) if qwords else 1.0
    if coverage < COVERAGE_MIN:
        return f"word coverage {coverage:.2f} < {COVERAGE_MIN}"
    qt = found["qtype"]
    if qt.kind in _KIND_ASKED and found["sentences"] and not found.get("typed_found"):
        return f"kind: {_KIND_ASKED[qt.kind]}"
    if found["sentences"]:
        first_s, ns = found["sentences"][0]
        passage = " ".join(f"{results[n - 1].committee}\n{results[n - 1].item_title}\n{found['texts'][n - 1]}"
                           for n in ns)  # the committee and item are part of what the passage is about
        near_s = found.get("best_sentence", 0.0)
        missing = subject_missing(question, first_s, passage, idf, aliases) if near_s < SUBJECT_COS else None
        if missing:
            return f"subject: {missing}"
    other = other_period(question, [(s, results[n - 1].meeting_date) for s, ns in found["sentences"][:1] for n in ns])
    if other:
        return f"the figures quoted are for other periods than {other}"
    # the year asked about: the quoted passage must be of that time, and a near passage on the subject
    quoted = [results[n - 1] for _, ns in found["sentences"][:1] for n in ns]
    words = [w for w in qwords if idf.df.get(w) and not re.fullmatch(r"[\d/-]+", w)]
    text_of = index.file_text
    if not (time_supported(question, quoted, text_of, [], idf) if quoted
            else time_supported(question, near, text_of, words, idf)):
        return "no quoted passage is of the year asked about"
    return None


def _meeting_held(index: Index, when, filters: Filters) -> bool:
    """A meeting on ``when`` among the papers the filters let a search see."""
    return index.meeting_held(when.isoformat(), filters.committee)


