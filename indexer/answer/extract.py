"""Answer sentences: the sentences of the retrieved passages that best answer a question.

``answer_sentences(index, question, results)`` scores each candidate sentence by the
idf-weighted share of the question's words it holds, its own embedding similarity to the
question and its passage's (see :mod:`indexer.answer.ask`); ``neighbours`` are the passages
nearest a question by the embedder alone, used by the abstention checks.
"""

from __future__ import annotations

import numpy as np

from indexer.answer.abstain import answer_type_ok, expected_type, given_numbers, has_answer_type, weighted_share
from indexer.common.acronyms import Aliases
from indexer.common.results import Filters, SearchResult
from indexer.common.text import content_words, question_words, sentences
from indexer.retrieve.search import allowed_ids, result_by_chunk_id
from indexer.store.index import Index

MAX_SENTENCES = 3
MAX_ANSWER_WORDS = 90
W_WORDS, W_SENTENCE, W_PASSAGE = 1.0, 1.0, 0.5
W_TYPE = 0.25  # bonus for a sentence holding the kind of answer asked for (a figure, a sum)
TYPE_MARGIN = 0.6  # ... which is quoted when it scores within this of the best sentence
SENTENCE_POOL = 12  # candidate sentences embedded per question (12 and 24 pick the same answers)

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


def answer_sentences(index: Index, question: str, results: list[SearchResult],
                     max_sentences: int = MAX_SENTENCES, aliases: Aliases | None = None) -> dict:
    """Pick the answer sentences; returns {"answer", "sentences", "best_passage", "best_sentence",
    "coverage"}: ``best_sentence`` is the highest cosine of a chosen sentence to the question.
    ``aliases``: the abbreviations the question names; a sentence holding either form has its words."""
    aliases = aliases or Aliases()
    empty = {"answer": "", "sentences": [], "best_passage": 0.0, "best_sentence": 0.0, "coverage": 0.0}
    if not results:
        return empty
    idf = index.idf()
    qwords = question_words(question)
    qvec = index.query_vector(question)
    pvecs = passage_vectors(index, [r.id for r in results])
    psim = {r.id: float(pvecs[r.id] @ qvec) if r.id in pvecs else 0.0 for r in results}
    passage_words: set[str] = set()
    # every sentence, with the 1-based numbers of all passages that contain it
    where: dict[str, list[int]] = {}
    order: list[tuple[str, str]] = []  # (sentence, first chunk id)
    for n, r in enumerate(results, start=1):
        passage_words.update(content_words(r.text))
        for s in sentences(r.text):
            if s not in where:
                where[s] = []
                order.append((s, r.id))
            if n not in where[s]:
                where[s].append(n)
    coverage = weighted_share(qwords, aliases.extend(passage_words), idf) if qwords else 1.0
    if not order:
        return {**empty, "best_passage": max(psim.values()), "coverage": coverage}
    lex = {s: weighted_share(qwords, aliases.extend(set(content_words(s))), idf) if qwords else 0.0 for s, _ in order}
    # embed only the most promising sentences: by words, then by their passage's similarity
    pool = sorted(order, key=lambda sc: (-lex[sc[0]], -psim[sc[1]]))[:SENTENCE_POOL]
    svecs = embed_passages(index, [s for s, _ in pool])
    wanted = expected_type(question)
    scored = []
    ssim: dict[str, float] = {}
    for (s, cid), v in zip(pool, svecs):
        ssim[s] = float(v @ qvec)
        score = W_WORDS * lex[s] + W_SENTENCE * ssim[s] + W_PASSAGE * psim[cid]
        if len(s.split()) < 4:
            score -= 0.3  # a heading or a bare number says little on its own
        if wanted and answer_type_ok(question, [s]):
            score += W_TYPE  # "how many ...": a sentence with a figure
        scored.append((score, s))
    scored.sort(key=lambda x: -x[0])
    chosen, words = [], 0
    for score, s in scored:
        if len(chosen) >= max_sentences or (chosen and score < scored[0][0] - 0.35):
            break
        if chosen and words + len(s.split()) > MAX_ANSWER_WORDS:
            continue
        chosen.append(s)
        words += len(s.split())
    given = given_numbers(question)
    if wanted and not any(has_answer_type(wanted, s, given) for s in chosen):
        # "how many ...": quote the best sentence that holds a figure, if one scores near enough
        figure = next((s for score, s in scored if score >= scored[0][0] - TYPE_MARGIN
                       and s not in chosen and has_answer_type(wanted, s, given)), None)
        if figure is not None:
            chosen = chosen[:max_sentences - 1] + [figure]
    text = " ".join(f"{s} {''.join(f'[{n}]' for n in where[s])}" for s in chosen)
    return {"answer": text, "sentences": [(s, where[s]) for s in chosen], "best_passage": max(psim.values()),
            "best_sentence": max((ssim[s] for s in chosen), default=0.0), "coverage": coverage}



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
