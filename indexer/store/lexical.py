r"""BM25 over chunks with ``bm25s``: a sparse matrix of precomputed term scores, ranked in
milliseconds where SQLite FTS5's ``bm25()`` scores every matching row.

SQLite keeps FTS5 for everything else; this module only ranks. It is built from
``(rowid, text, title)`` triples, where rowid is the chunk's SQLite rowid (= its FAISS id), and
answers ``rank(query, n, allowed)`` with ``(rowid, score)`` pairs, best first.

Tokeniser (the same steps for chunks and queries, see :func:`terms`):

1. Apostrophes are dropped (``council's`` -> ``councils``, ``O'Brien`` -> ``obrien``). A day's
   ordinal suffix is dropped (``13th`` and PDF text's ``28 th`` -> ``13``, ``28``), so "13
   February 2020" meets the work programme's "13th February 2020". A short year range whose years
   follow each other is written out (``2018-19``, ``2018/19`` -> ``2018-2019``), so a financial or
   school year meets its other spellings and its second year. (`council eval`, gold questions:
   each +0.005 MRR@10, one question each moving from second to first; held-out unchanged.)
2. Words joined by ``/`` or a hyphen (``2019/20``, ``Covid-19``, ``bye-laws``,
   ``Cappamore-Kilmallock``) also yield one compound token (``2019_2020``, ``covid_19``) beside
   their parts. The parts keep ``2019`` findable; the rare compound puts an exact ``2019/20`` or
   ``Covid-19`` first, as FTS5's phrase match of the quoted hyphenated word does. (On the gold
   questions, which name few such codes, compounds are neutral: MRR@10 0.723 with, 0.727 without.)
3. ``bm25s.tokenize`` lowercases and splits with ``TOKEN_PATTERN``: bm25s's default
   (``\w\w+``, words of two or more characters) plus lone digits, so ``Part 8`` and ``item 5``
   keep their number; ``SB2``, ``N21`` and ``328`` are ordinary tokens. Lone letters (initials,
   ``a``) are dropped. bm25s's default alone would split ``2019/20`` into ``2019`` and ``20`` and
   lose ``8``.
4. Stop words: the words our FTS5 queries drop (``store._FTS_STOP``) plus bm25s's English list
   (Lucene's 33), removed from chunks as well as queries, which keeps posting lists short.
5. Once per distinct word: diacritics stripped (NFKD, combining marks dropped: ``café`` ->
   ``cafe``, ligature ``ﬁ`` -> ``fi``, like FTS5's ``remove_diacritics 2``), then Snowball English
   stemming (PyStemmer): ``recruiting``, ``recruitment``, ``recruits`` -> ``recruit``.

Scoring is Lucene BM25 (idf ``log(1 + (N - df + .5) / (df + .5))``, never negative) with FTS5's
``k1 = 1.2, b = 0.75``. Title: a chunk is indexed as its text plus its title (the chunk header:
committee, date, item) once (``TITLE_WEIGHT = 1``). As chunk texts usually open with their item
heading, the item words already count twice. ``title_weight=0.5`` reproduces the column weighting of FTS5's
``bm25(chunks_fts, 1.0, 0.5)`` (FTS5 sums column-weighted counts, ``tf_text + 0.5 *
tf_title``, before saturation: here the text is indexed twice, the title once, and ``k1`` doubled),
and ``0`` ignores the title. ``benchmarks/results/lexical.md`` chose 1: on the gold questions it
ranks better than 0.5 (MRR@10 0.723 against 0.709; FTS5 0.704; no title 0.690) and builds a
little faster, while 0.5 agrees a little more with FTS5's own top 10 (0.82 against 0.78 at 100k).

On disk a directory (normally inside an index generation, next to ``vectors.faiss``) holds
bm25s's ``.npy`` arrays and vocabulary, ``rowids.npy`` (matrix row -> SQLite rowid, ascending)
``lexical.json`` (format and tokeniser version, parameters), the *term counts* (``terms/``: each
chunk's term ids and counts, its length and a hash of its text, so that the next generation
re-tokenises only the chunks it adds, see :meth:`LexicalIndex.build`'s ``previous``) and ``acronyms.json``, the
abbreviations the papers define (``indexer/common/acronyms.py``; search adds their other form to a query). ``load(mmap=True)`` maps the
arrays read-only. Ranking only reads shared state and keeps one stemmer per thread
(PyStemmer objects must not be used concurrently), so threads may call ``rank`` at once.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import bm25s
import bm25s.stopwords
import numpy as np
import Stemmer

from indexer.common.acronyms import Glossary
from indexer.common.errors import IndexCorrupt
from indexer.store.lexical_counts import TermCounts, _GlossaryState, _score_matrix, _text_key
from indexer.store.metadata import _FTS_STOP

log = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import; under the CLI's basicConfig every build would
# print "Building index from IDs objects". Put it back to the usual threshold.
logging.getLogger("bm25s").setLevel(logging.WARNING)

FORMAT_VERSION = 2  # 2: acronyms.json, the papers' abbreviations (indexer/common/acronyms.py)
TOKENIZER = "apos-ordinal-years-compound/w2+d1/fts-stop+lucene/nfkd-snowball-en/v2"  # change when terms() changes
META = "lexical.json"
GLOSSARY = "acronyms.json"
ROWIDS = "rowids.npy"
TERMS = "terms"  # per-chunk term counts, read only when the next generation is built
GLOSSARY_COUNTS = "acronym-counts.json"  # what acronyms.json was made from, for the next generation


TOKEN_PATTERN = r"(?u)\w\w+|\b\d\b"
STOPWORDS: frozenset[str] = frozenset(_FTS_STOP) | frozenset(bm25s.stopwords.STOPWORDS_EN)
_STOPLIST = sorted(STOPWORDS)
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 1  # see the module docstring

_COMPOUND = re.compile(r"\b\w++(?:[/\-‐‑–]\w++)+")  # possessive: linear time on long words
_JOINER = re.compile(r"[/\-‐‑–]")
_ORDINAL = re.compile(r"\b(\d{1,2}) ?(?:st|nd|rd|th)\b")  # "13th", PDF text's "28 th": the day alone
_SHORT_YEARS = re.compile(r"\b((?:19|20)\d\d)([/\-‐‑–])(\d\d)\b")  # "2018-19", "2019/20"
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_local = threading.local()


def normalise(text: str) -> str:
    """Steps 1 and 2 of the tokeniser on a whole text (the rest happens per distinct word)."""
    text = text.replace("'", "").replace("’", "")
    text = _ORDINAL.sub(r"\1", text)
    if _JOINER.search(text):
        text = _SHORT_YEARS.sub(_full_years, text)
        compounds = _COMPOUND.findall(text)
        if compounds:
            text = f"{text}\n{' '.join(_JOINER.sub('_', c) for c in compounds)}"
    return text


def _full_years(m: re.Match) -> str:
    """"2018-19" -> "2018-2019" when the second year follows the first (a financial or school
    year), so it meets "2018-2019", "2018/19" and "2019" alike; other pairs stay as written."""
    first = int(m[1])
    return f"{m[1]}{m[2]}{first + 1}" if (first + 1) % 100 == int(m[3]) else m[0]


def _fold_and_stem(words: list[str]) -> list[str]:
    """Step 1's diacritics and step 5, applied once per distinct word (bm25s calls it on its vocabulary)."""
    words = [w if w.isascii() else _COMBINING.sub("", unicodedata.normalize("NFKD", w)) for w in words]
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # PyStemmer objects must not be shared between threads
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer.stemWords(words)


def _tokenize(texts: list[str], return_ids: bool):
    return bm25s.tokenize([normalise(t) for t in texts], lower=True, token_pattern=TOKEN_PATTERN,
                          stopwords=_STOPLIST, stemmer=_fold_and_stem, return_ids=return_ids,
                          show_progress=False)


def terms(query: str) -> list[str]:
    """A query's distinct index terms, in order (the words a chunk must hold to score)."""
    return list(dict.fromkeys(_tokenize([query], return_ids=False)[0]))


def word_terms(words: list[str]) -> list[list[str]]:
    """Each word's index terms (none for a stop word), in one tokeniser call: what marks the
    query's words in a passage (``indexer.retrieve.items.marks``)."""
    return _tokenize(words, return_ids=False) if words else []


class LexicalIndex:
    """BM25 ranking of chunks by SQLite rowid; see the module docstring."""

    def __init__(self, bm25: bm25s.BM25 | None, rowids: np.ndarray, meta: dict,
                 glossary: Glossary | None = None, counts: TermCounts | None = None) -> None:
        self._bm25 = bm25  # None when no chunk has a term (or there are no chunks)
        self.counts = counts  # kept from a build until saved; not loaded for serving
        self.glossary_state: _GlossaryState | None = None  # likewise, for the abbreviations
        self.glossary = glossary or Glossary({})
        self.rowids = rowids  # ascending int64; position i is row i of the score matrix
        self.meta = meta
        # rowid -> position as a dense table when rowids are nearly contiguous (SQLite's usually
        # are): a filter of 60k rowids then costs one gather instead of a 2 ms binary search.
        self._base = int(rowids[0]) if len(rowids) else 0
        span = int(rowids[-1]) - self._base + 1 if len(rowids) else 0
        self._lookup: np.ndarray | None = None
        if 0 < span <= 4 * len(rowids) + 4096:
            self._lookup = np.full(span, -1, dtype=np.int32)
            self._lookup[np.asarray(rowids) - self._base] = np.arange(len(rowids), dtype=np.int32)

    # ------------------------------------------------------------------ building

    @classmethod
    def build(cls, rows: Iterable[tuple[int, str, str]], *, title_weight: float = TITLE_WEIGHT,
              k1: float = K1, b: float = B, private: Iterable[int] = (),
              previous: str | Path | None = None) -> "LexicalIndex":
        """Index ``(rowid, text, title)`` rows; ``title_weight`` is 0, 0.5 or 1 (see the module doc).
        Abbreviations are learnt from every row but the ``private`` rowids (restricted passages),
        so an anonymous query is never expanded with words only a private paper defines.

        ``previous``, the directory of the last generation's lexical index: a row whose rowid and
        text it already holds takes its term counts from there instead of being tokenised again,
        so adding one pack to a million passages tokenises the pack's chunks only. Every score is
        then computed afresh from the counts (document frequencies and the mean length change
        with each chunk added), with bm25s's arithmetic, so the index is the one a build from
        scratch gives, score for score (tests/store/test_lexical.py)."""
        if title_weight not in (0, 0.5, 1):
            raise ValueError(f"title_weight must be 0, 0.5 or 1, not {title_weight!r}")
        triples = sorted(rows, key=lambda r: r[0])
        rowids = np.fromiter((r[0] for r in triples), dtype=np.int64, count=len(triples))
        if len(rowids) > 1 and not (np.diff(rowids) > 0).all():
            raise ValueError("rowids must be unique")
        n = len(triples)
        text_repeats = 2 if title_weight == 0.5 else 1
        meta = {"format": FORMAT_VERSION, "tokenizer": TOKENIZER, "title_weight": title_weight,
                "k1": k1, "b": b, "text_repeats": text_repeats, "count": n, "bm25s": bm25s.__version__}
        if n == 0:
            return cls(None, rowids, meta)
        hidden = set(private)
        keys = np.fromiter((_text_key(r[1], r[2] or "") for r in triples), dtype=np.uint64, count=n)
        old = TermCounts.load(Path(previous) / TERMS) if previous is not None else None
        if old is not None and not _same_params(previous, meta):
            old = None
        counts, fresh = _count_terms(triples, rowids, keys, title_weight, text_repeats, old, previous)
        # the abbreviations: when rows were only added (every old row kept, none newly hidden),
        # the stored counts plus the new rows' are what reading every row gives
        state = _GlossaryState.load(Path(previous) / GLOSSARY_COUNTS) if old is not None else None
        if state is not None and n - len(fresh) == len(old.key) and \
                hidden - set(rowids[fresh].tolist()) == set(state.hidden):
            seen, lower = Glossary.counts((triples[i][1] for i in fresh if triples[i][0] not in hidden),
                                          state.seen, state.lower)
            log.info("lexical: abbreviations of %d rows from the stored counts, %d rows read",
                     n - len(fresh), len(fresh))
        else:
            seen, lower = Glossary.counts(r[1] for r in triples if r[0] not in hidden)
        glossary = Glossary.from_counts(seen, lower)
        hid = np.array(sorted(hidden), dtype=np.int64)
        gstate = _GlossaryState(seen, lower, hid[np.isin(hid, rowids)].tolist())  # this index's restricted rows
        del triples
        if not counts.vocab:
            out = cls(None, rowids, meta, glossary, counts)
        else:
            bm25 = bm25s.BM25(k1=k1 * text_repeats, b=b, method="lucene")
            bm25.scores = _score_matrix(counts, k1 * text_repeats, b, bm25.dtype)
            bm25.vocab_dict = counts.vocab
            bm25.unique_token_ids_set = set(counts.vocab.values())
            bm25.nonoccurrence_array = None  # what BM25.index sets for the Lucene variant
            out = cls(bm25, rowids, meta, glossary, counts)
        out.glossary_state = gstate
        return out

    # ------------------------------------------------------------------ persistence

    def save(self, directory: str | Path) -> None:
        """Write into ``directory`` (created if missing). Not atomic by itself: it is meant to be
        written into a new index generation, which is swapped in whole."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None:
            self._bm25.save(d, show_progress=False)
        np.save(d / ROWIDS, self.rowids)
        if self.counts is not None:
            self.counts.save(d / TERMS)
        if self.glossary_state is not None:
            self.glossary_state.save(d / GLOSSARY_COUNTS)
        self.glossary.save(d / GLOSSARY)
        (d / META).write_text(json.dumps({**self.meta, "empty": self._bm25 is None}, indent=1, sort_keys=True))

    @classmethod
    def load(cls, directory: str | Path, mmap: bool = True) -> "LexicalIndex":
        """Open a saved index; with ``mmap`` the score arrays are mapped read-only, not read."""
        d = Path(directory)
        try:
            meta = json.loads((d / META).read_text())
            rowids = np.load(d / ROWIDS, mmap_mode="r" if mmap else None)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(d, f"unreadable lexical index ({exc})") from exc
        if meta.get("format") != FORMAT_VERSION or meta.get("tokenizer") != TOKENIZER:
            raise IndexCorrupt(d, f"lexical index format {meta.get('format')} / tokeniser "
                                  f"{meta.get('tokenizer')!r}; this version needs {FORMAT_VERSION} / "
                                  f"{TOKENIZER!r}: re-index")
        if len(rowids) != meta.get("count"):
            raise IndexCorrupt(d, f"lexical index holds {len(rowids)} rowids, its manifest says {meta.get('count')}")
        try:
            glossary = Glossary.load(d / GLOSSARY)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(d, f"unreadable abbreviations ({exc})") from exc
        if meta.pop("empty", False):
            return cls(None, rowids, meta, glossary)
        try:
            bm25 = bm25s.BM25.load(d, mmap=mmap, load_corpus=False, show_progress=False)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(d, f"unreadable lexical index ({exc})") from exc
        if bm25.scores["num_docs"] != len(rowids):
            raise IndexCorrupt(d, "lexical index: score matrix and rowids disagree")
        return cls(bm25, rowids, meta, glossary)

    # ------------------------------------------------------------------ ranking

    def count(self) -> int:
        return len(self.rowids)

    def scores(self, query: str) -> np.ndarray | None:
        """BM25 score of every chunk (by position), or None when no query term is indexed."""
        if self._bm25 is None:
            return None
        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in terms(query) if t in vocab]
        if not ids:
            return None
        return self._bm25.get_scores_from_ids(ids)

    def rank(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The top ``n`` ``(rowid, score)`` with score > 0, best first (ties: lower rowid first).

        ``allowed``, an int64 array of rowids (None: all), is honoured exactly: only allowed
        chunks are ranked, so up to ``n`` of them come back however few or many there are."""
        if n <= 0 or (allowed is not None and len(allowed) == 0):
            return []
        scores = self.scores(query)
        if scores is None:
            return []
        if allowed is None:
            cand = np.flatnonzero(scores > 0)
        else:
            pos = self._positions(np.asarray(allowed, dtype=np.int64))
            if len(pos) * 16 < len(scores):  # few: gather (unique: a repeated rowid counts once)
                cand = np.unique(pos[scores[pos] > 0])
            else:  # many: a mask over every chunk is cheaper than sorting the candidates
                mask = np.zeros(len(scores), dtype=bool)
                mask[pos] = True
                cand = np.flatnonzero(mask & (scores > 0))
        vals = scores[cand]
        if len(cand) > n:
            kth = np.partition(vals, len(vals) - n)[len(vals) - n]
            keep = vals >= kth  # every tie at the cut, so the order below decides, not partition
            cand, vals = cand[keep], vals[keep]
        order = np.lexsort((cand, -vals))[:n]  # positions ascend with rowids
        return [(int(self.rowids[c]), float(vals[i])) for i, c in zip(order, cand[order])]

    def _positions(self, allowed: np.ndarray) -> np.ndarray:
        """Matrix rows of the allowed rowids that are indexed (unknown rowids are ignored)."""
        if len(self.rowids) == 0:
            return np.empty(0, dtype=np.int64)
        if self._lookup is not None:
            off = allowed - self._base
            off = off[(off >= 0) & (off < len(self._lookup))]
            pos = self._lookup[off]
            return pos[pos >= 0]
        pos = np.searchsorted(self.rowids, allowed)
        np.minimum(pos, len(self.rowids) - 1, out=pos)
        return pos[self.rowids[pos] == allowed]


# ------------------------------------------------------------------ building from term counts

def _same_params(previous: str | Path, meta: dict) -> bool:
    """The previous index counted terms the way this build would (tokeniser, title weighting)."""
    try:
        old = json.loads((Path(previous) / META).read_text())
    except (OSError, ValueError):
        return False
    return all(old.get(k) == meta[k] for k in ("tokenizer", "title_weight", "text_repeats"))


def _count_terms(triples: list, rowids: np.ndarray, keys: np.ndarray, title_weight: float, text_repeats: int,
                 old: TermCounts | None, previous) -> TermCounts:
    """Term counts of every row: taken from ``old`` where it holds the same rowid and text, counted
    from the tokeniser's output for the rest."""
    n = len(triples)
    src = np.full(n, -1, dtype=np.int64)  # row of ``old`` to copy, or -1: tokenise
    if old is not None:
        old_rowids = np.load(Path(previous) / ROWIDS)
        if len(old_rowids) == len(old.key) and len(old_rowids):
            pos = np.minimum(np.searchsorted(old_rowids, rowids), len(old_rowids) - 1)
            same = (old_rowids[pos] == rowids) & (old.key[pos] == keys)
            src[same] = pos[same]
    fresh = np.flatnonzero(src < 0)
    vocab: dict[str, int] = dict(old.vocab) if old is not None else {}
    new_term: list[np.ndarray] = []
    new_count: list[np.ndarray] = []
    new_len = np.zeros(len(fresh), dtype=np.int64)
    if len(fresh):
        texts = [triples[i][1] for i in fresh]
        if title_weight:
            texts += [triples[i][2] or "" for i in fresh]
        tokens = _tokenize(texts, return_ids=False)
        m = len(fresh)
        for j in range(m):
            doc = tokens[j] * text_repeats + tokens[m + j] if title_weight else tokens[j]
            new_len[j] = len(doc)
            c = Counter(vocab.setdefault(t, len(vocab)) for t in doc)
            new_term.append(np.fromiter(c.keys(), dtype=np.int32, count=len(c)))
            new_count.append(np.fromiter(c.values(), dtype=np.int64, count=len(c)))
    # one gather over [old entries, new entries] in row order
    old_nnz = 0 if old is None else len(old.term)
    pool_term = np.concatenate([old.term if old is not None else np.empty(0, np.int32), *new_term]).astype(np.int32)
    pool_count = np.concatenate([old.count.astype(np.int64) if old is not None else np.empty(0, np.int64),
                                 *new_count])
    new_sizes = np.fromiter((len(t) for t in new_term), dtype=np.int64, count=len(new_term))
    new_start = old_nnz + np.concatenate([[0], np.cumsum(new_sizes)[:-1]]).astype(np.int64) if len(fresh) else \
        np.empty(0, np.int64)
    start = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    length = np.empty(n, dtype=np.int64)
    kept = src >= 0
    if old is not None and kept.any():
        start[kept] = old.indptr[src[kept]]
        size[kept] = old.indptr[src[kept] + 1] - old.indptr[src[kept]]
        length[kept] = old.length[src[kept]]
    start[fresh], size[fresh], length[fresh] = new_start, new_sizes, new_len
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(size, out=indptr[1:])
    gather = np.repeat(start - indptr[:-1], size) + np.arange(indptr[-1], dtype=np.int64)
    count = pool_count[gather]
    dtype = np.uint16 if (count.max(initial=0) <= np.iinfo(np.uint16).max) else np.int32
    log.info("lexical: %d chunks' term counts reused, %d tokenised", int(kept.sum()), len(fresh))
    term = pool_term[gather]
    if len(vocab) <= np.iinfo(np.uint16).max + 1:  # half the disk, for a vocabulary under 65,536 terms
        term = term.astype(np.uint16)
    return TermCounts(vocab, indptr, term, count.astype(dtype), length, keys), fresh
