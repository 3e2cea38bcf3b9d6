"""Answer sentences: the sentences of the retrieved passages that best answer a question.

``answer_sentences(index, question, results)`` reads each passage as a member sees it (cleaned,
tables as "column: value" rows: :mod:`indexer.answer.display`), splits it into sentences and
scores each by the idf-weighted share of the question's words it holds and its passage's
embedding similarity to the question (weights 1 and 1 + 0.5: a sentence's own embedding is not
computed, see SENTENCE_EMBED). Then the question's type
(:mod:`indexer.answer.qtype`) decides the first sentence: the best-scoring sentence that holds
what is asked (a figure for the thing counted, a date, a person or body, a reason; for a
decision, a RESOLVED point), when one scores within TYPE_MARGIN of the best. At most
MAX_SENTENCES - 1 supporting sentences follow. Fragments (a passage cut mid-sentence) and
headings are not quoted first, nor a question the papers print ("Questions put and answers given"). ``neighbours`` are the passages nearest a question by the
embedder alone, used by the abstention checks.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from indexer.answer.abstain import asked_period, given_numbers, weighted_share, years
from indexer.answer.display import display_text
from indexer.answer.qtype import holds_in_passage, question_type
from indexer.common.acronyms import Aliases
from indexer.common.results import Filters, SearchResult
from indexer.common.text import content_words, question_words, sentences
from indexer.retrieve.search import allowed_ids, result_by_chunk_id
from indexer.store.index import Index

MAX_SENTENCES = 3  # the answer, then at most two supporting sentences
MAX_ANSWER_WORDS = 90
W_WORDS, W_SENTENCE, W_PASSAGE = 1.0, 1.0, 0.5
W_TYPE = 0.3  # bonus for a sentence holding the kind of answer asked for
W_RESOLVED = 0.2  # bonus, for decision questions, for a sentence of a resolution
W_QUESTION = 0.6  # a sentence that is itself a question is quoted only when nothing else comes near
W_PERIOD = 0.2  # number and date questions about one year: a sentence naming that year, or only others
TYPE_MARGIN = 0.6  # the best sentence of the right kind is quoted first when it scores within this of the best
SUPPORT_MARGIN = 0.35  # supporting sentences score within this of the first
SENTENCE_POOL = 12  # candidate sentences embedded per question, by words ...
TYPED_POOL = 8  # ... plus the best of those holding the kind of answer asked for
SENTENCE_EMBED = 0  # how many of the pool get their own embedding; the rest score their passage's cosine
# 0: /ask embeds only the question, as /search does (12-20 sentence embeddings took /ask's p95 to
# 18x /search's on new questions); on the tuning part of eval/answers.jsonl the answers held the fact
# as often or more (84 vs 82 of 97), at the cost of 9 of 101 gold questions answered (see eval/notes.md).
def passage_vectors(index: Index, chunk_ids: list[str]) -> dict[str, np.ndarray]:
    if not chunk_ids:
        return {}
    rows = index.chunk_rowids(chunk_ids)
    vecs = index.vectors.vectors_for(np.array([r[0] for r in rows], dtype=np.int64))
    return {r[1]: v for r, v in zip(rows, vecs)}


def neighbours(index: Index, question: str, filters: Filters, n: int = 10) -> list[SearchResult]:
    """The passages nearest the question by the embedder alone (whatever the fusion settings)."""
    allowed = allowed_ids(index, filters)
    if allowed is not None and len(allowed) == 0:
        return []
    denied = index.restricted_ids if allowed is None and not filters.include_restricted else frozenset()
    scores, ids = index.vectors.search(index.query_vector(question), n + len(denied), allowed_ids=allowed)
    rowids = [int(i) for i in np.ravel(ids) if i >= 0 and int(i) not in denied][:n]
    if not rowids:
        return []
    names = index.chunk_names(rowids)
    found = [result_by_chunk_id(index, names[i]) for i in rowids if i in names]
    return [r for r in found if r is not None]


def _fragment(s: str, first: bool) -> bool:
    """A piece of a sentence cut off by the passage's start, or a heading rather than a sentence."""
    return (first and s[:1].islower()) or len(s.split()) < 4


def answer_sentences(index: Index, question: str, results: list[SearchResult],
                     max_sentences: int = MAX_SENTENCES, aliases: Aliases | None = None) -> dict:
    """Pick the answer sentences. Returns {"qtype", "sentences": [(sentence, [1-based passage
    numbers holding it])], "holds" (the first sentence holds what is asked), "typed_found" (some
    candidate does), "best_passage", "best_sentence", "coverage", "texts" (the passages as quoted)}."""
    aliases = aliases or Aliases()
    qt = question_type(question)
    empty = {"qtype": qt, "sentences": [], "holds": False, "typed_found": False, "best_passage": 0.0,
             "best_sentence": 0.0, "coverage": 0.0, "texts": []}
    if not results:
        return empty
    idf = index.idf()
    qwords = question_words(question)
    qvec = index.query_vector(question)
    pvecs = passage_vectors(index, [r.id for r in results])
    psim = {r.id: float(pvecs[r.id] @ qvec) if r.id in pvecs else 0.0 for r in results}
    texts = [display_text(index, r) for r in results]
    given = given_numbers(question)
    passage_words: set[str] = set()
    where: dict[str, list[int]] = {}  # sentence -> 1-based numbers of the passages holding it
    order: list[tuple[str, str, int]] = []  # (sentence, first chunk id, its position in the passage)
    for n, (r, text) in enumerate(zip(results, texts), start=1):
        passage_words.update(content_words(text))
        for k, s in enumerate(sentences(text)):
            if s not in where:
                where[s] = []
                order.append((s, r.id, k))
            if n not in where[s]:
                where[s].append(n)
    coverage = weighted_share(qwords, aliases.extend(passage_words), idf) if qwords else 1.0
    if not order:
        return {**empty, "best_passage": max(psim.values()), "coverage": coverage, "texts": texts}
    lex = {s: weighted_share(qwords, aliases.extend(set(content_words(s))), idf) if qwords else 0.0 for s, _, _ in order}
    text_of = {r.id: t for r, t in zip(results, texts)}
    holds = _Holds(qt, given, {s: text_of[cid] for s, cid, _ in order})  # checked only where needed
    by_words = sorted(order, key=lambda c: (-lex[c[0]], -psim[c[1]]))
    pool = by_words[:SENTENCE_POOL]
    if qt.kind != "open":
        extra = []
        for c in by_words[SENTENCE_POOL:]:
            if len(extra) >= TYPED_POOL:
                break
            if holds[c[0]]:
                extra.append(c)
        pool += extra
    own = embed_passages(index, [s for s, _, _ in pool[:SENTENCE_EMBED]])  # the rest: their passage's cosine
    period = asked_period(question)
    scored: list[tuple[float, str]] = []
    ssim: dict[str, float] = {}
    for j, (s, cid, k) in enumerate(pool):
        ssim[s] = float(own[j] @ qvec) if j < len(own) else psim[cid]
        score = W_WORDS * lex[s] + W_SENTENCE * ssim[s] + W_PASSAGE * psim[cid]
        if _fragment(s, k == 0):
            score -= 0.3  # a heading, a bare number or a sentence cut by the passage's start
        if s.rstrip("\"”’) ").endswith("?"):
            score -= W_QUESTION  # a question put in the papers ("Question 2 from ...") answers nothing itself
        if holds[s] and qt.kind != "open":
            score += W_RESOLVED if qt.kind == "decision" else W_TYPE
        if period is not None and qt.kind in ("number", "date"):
            said = years(s)
            score += W_PERIOD if period in said else (-W_PERIOD if said else 0.0)
        scored.append((score, s))
    scored.sort(key=lambda x: -x[0])
    best = scored[0][0]
    first = scored[0][1]
    typed = [s for sc, s in scored if holds[s] and sc >= best - TYPE_MARGIN]
    if qt.kind != "open" and typed:
        first = typed[0]
    chosen, words = [first], len(first.split())
    for score, s in scored:
        if len(chosen) >= max_sentences or score < best - SUPPORT_MARGIN:
            break
        if s in chosen or _fragment(s, False) or _same(s, chosen) or words + len(s.split()) > MAX_ANSWER_WORDS:
            continue
        chosen.append(s)
        words += len(s.split())
    return {"qtype": qt, "sentences": [(s, where[s]) for s in chosen], "holds": holds[first],
            "typed_found": any(holds[s] for _, s in scored), "best_passage": max(psim.values()),
            "best_sentence": ssim.get(first, 0.0), "coverage": coverage, "texts": texts}


class _Holds(dict):
    """sentence -> it holds what the question asks (:func:`holds_in_passage`), worked out on first use."""

    def __init__(self, qt, given, passage_of: dict[str, str]) -> None:
        super().__init__()
        self.qt, self.given, self.passage_of = qt, given, passage_of

    def __missing__(self, s: str) -> bool:
        v = self[s] = _holds(self.qt, s, self.passage_of[s], self.given)
        return v


@lru_cache(maxsize=50_000)
def _holds(qt, sentence: str, passage: str, given: frozenset[str]) -> bool:
    """:func:`holds_in_passage`, kept: a question asked again reads the same sentences again."""
    return holds_in_passage(qt, sentence, passage, given)


def _same(s: str, chosen: list[str]) -> bool:
    """Nearly the same words as a sentence already chosen (a statement repeated in report and minutes)."""
    a = set(content_words(s))
    for c in chosen:
        b = set(content_words(c))
        if a and b and len(a & b) / len(a | b) > 0.8:
            return True
    return False


def embed_passages(index: Index, texts: list[str]) -> np.ndarray:
    """Passage embeddings of answer candidates; sentences of often-retrieved passages are cached."""
    if not texts:
        return np.zeros((0, index.embedder.dim), np.float32)
    cache: dict[str, np.ndarray] = index.cached("sentence_vectors", dict)
    have = {t: cache.get(t) for t in dict.fromkeys(texts)}
    todo = [t for t, v in have.items() if v is None]
    if todo:
        if len(cache) > 20_000:
            cache.clear()
        for t, v in zip(todo, index.embedder.embed_batch(todo, kind="passage")):
            cache[t] = have[t] = v
    return np.stack([have[t] for t in texts])
