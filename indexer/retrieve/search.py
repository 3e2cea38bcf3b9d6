"""Hybrid retrieval: dense (FAISS) and BM25 (bm25s, indexer/lexical.py) rankings fused, with filters inside.

Filters become a set of allowed chunk ids before either retriever runs, so a filtered query
still returns k results whenever k exist. Structure-aware signals (a minute number named in
the query, query words in the item title) are small additive boosts on the fused score;
`council eval` measures each of them.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from indexer.store.index import Index
from indexer.common.results import Filters, SearchResult, check_query

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrievalConfig:
    mode: str = "hybrid"  # "hybrid" | "dense" | "bm25"
    fusion: str = "weighted"  # "rrf" | "weighted" (chosen by `council eval`, see eval/results.md)
    rrf_k: int = 60
    dense_weight: float = 0.7
    bm25_weight: float = 1.0
    candidates: int = 100
    title_boost: float = 0.0
    minute_boost: float = 0.5
    date_boost: float = 0.3
    sentence_boost: float = 0.7
    sentence_depth: int = 15  # candidates re-scored by the sentence signal (15, 20 and 30 rank alike)
    acronyms: int = 1  # add the other form of abbreviations the papers define: 1 to BM25's query, 2 to both
    decision_boost: float = 0.4  # "what did the board resolve/ask for": candidates holding a RESOLVED block
    recency_boost: float = 0.4  # "last", "latest", "most recent", "current": later meetings first
    attendance_boost: float = 0.6  # "who came / attended / took part": the minutes' list of who was present

    @classmethod
    def from_settings(cls, s) -> "RetrievalConfig":
        return cls(fusion=s.fusion, rrf_k=s.rrf_k, dense_weight=s.dense_weight, bm25_weight=s.bm25_weight,
                   candidates=s.candidates, title_boost=s.title_boost, minute_boost=s.minute_boost,
                   date_boost=s.date_boost, sentence_boost=s.sentence_boost, acronyms=s.acronyms,
                   decision_boost=s.decision_boost, recency_boost=s.recency_boost,
                   attendance_boost=s.attendance_boost)

    def but(self, **kw) -> "RetrievalConfig":
        return replace(self, **kw)


MINUTE_IN_QUERY = re.compile(r"\bminute\s+(?:no\.?\s*)?(\d{1,3})(?:/(\d{2}))?\b", re.I)
MONTH_YEAR_IN_QUERY = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+((?:19|20)\d\d)\b", re.I)
YEAR_IN_QUERY = re.compile(r"\b((?:19|20)\d\d)\b")


def query_periods(query: str) -> tuple[set[str], set[str]]:
    """("YYYY-MM" months, "YYYY" years) named in a query: "in November 2019", "in 2017"."""
    months = {f"{y}-{_MONTHS.index(m[:3].lower()) + 1:02d}" for m, y in MONTH_YEAR_IN_QUERY.findall(query)}
    years = set(YEAR_IN_QUERY.findall(query)) - {m[:4] for m in months}
    return months, years


_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def allowed_ids(index: Index, f: Filters) -> np.ndarray | None:
    """Chunk ids that pass the filters; None when nothing is filtered."""
    meeting_where, meeting_args = [], []
    if f.committee:
        meeting_where.append("(committee = ? OR lower(committee) LIKE ?)")
        meeting_args += [f.committee, f"%{f.committee.lower()}%"]
    if f.date_from:
        meeting_where.append("date >= ?")
        meeting_args.append(f.date_from.isoformat())
    if f.date_to:
        meeting_where.append("date <= ?")
        meeting_args.append(f.date_to.isoformat())
    if not meeting_where and not f.doc_type:
        return None  # restricted passages are dropped by the caller (see search)
    cols = filter_columns(index)
    mask = ~cols.restricted if not f.include_restricted else np.ones(len(cols.rowids), dtype=bool)
    if meeting_where:
        ids = [r[0] for r in index.query("SELECT id FROM meetings WHERE " + " AND ".join(meeting_where), meeting_args)]
        mask &= np.isin(cols.meeting, cols.codes(cols.meeting_codes, ids))
    if f.doc_type:
        ids = [r[0] for r in index.query("SELECT id FROM documents WHERE doc_type = ?", (f.doc_type,))]
        mask &= np.isin(cols.document, cols.codes(cols.document_codes, ids))
    return cols.rowids[mask]


class FilterColumns:
    """Each chunk's meeting, document and restricted flag as arrays, read once per index, so a
    filter is a numpy mask: a SQL join over the chunks table reads every passage's text
    (260 ms at 100k chunks; benchmarks/results/latency.md, the filtered what-ifs)."""

    def __init__(self, index: Index) -> None:
        rows = index.query("SELECT rowid, meeting_id, document_id, restricted FROM chunks ORDER BY rowid")
        self.meeting_codes: dict[str, int] = {}
        self.document_codes: dict[str, int] = {}
        self.rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        self.meeting = np.fromiter((self.meeting_codes.setdefault(r[1], len(self.meeting_codes)) for r in rows),
                                   dtype=np.int32, count=len(rows))
        self.document = np.fromiter((self.document_codes.setdefault(r[2], len(self.document_codes)) for r in rows),
                                    dtype=np.int32, count=len(rows))
        self.restricted = np.fromiter((bool(r[3]) for r in rows), dtype=bool, count=len(rows))

    @staticmethod
    def codes(table: dict[str, int], ids: list[str]) -> np.ndarray:
        return np.array([table[i] for i in ids if i in table], dtype=np.int32)


_FILTER_COLUMNS: dict[int, tuple[object, FilterColumns]] = {}
_FILTER_LOCK = threading.Lock()


def filter_columns(index: Index) -> FilterColumns:
    """The index's FilterColumns, built on its first filtered search (one scan of the chunks)."""
    with _FILTER_LOCK:
        hit = _FILTER_COLUMNS.get(id(index))
        if hit is not None and hit[0] is index.gen:
            return hit[1]
        cols = FilterColumns(index)
        if len(_FILTER_COLUMNS) > 8:
            _FILTER_COLUMNS.clear()
        _FILTER_COLUMNS[id(index)] = (index.gen, cols)
        return cols


def dense_ranking(index: Index, query: str, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    qv = index.query_vector(query)
    scores, ids = index.vectors.search(qv, n, allowed_ids=allowed)
    scores, ids = np.asarray(scores).reshape(-1), np.asarray(ids).reshape(-1)
    return [(int(i), float(s)) for s, i in zip(scores, ids) if i >= 0]


def bm25_ranking(index: Index, query: str, n: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
    """BM25 (bm25s, see indexer/lexical.py): the top ``n`` (rowid, score), only from ``allowed``."""
    return index.lexical.rank(query, n, allowed)


def fuse(rankings: list[tuple[list[tuple[int, float]], float]], cfg: RetrievalConfig) -> dict[int, float]:
    """RRF, or a weighted sum of min-max normalised scores."""
    fused: dict[int, float] = {}
    for ranking, weight in rankings:
        if not ranking or weight == 0:
            continue
        if cfg.fusion == "rrf":
            for rank, (cid, _) in enumerate(ranking, start=1):
                fused[cid] = fused.get(cid, 0.0) + weight / (cfg.rrf_k + rank)
        else:
            vals = [s for _, s in ranking]
            lo, hi = min(vals), max(vals)
            for cid, s in ranking:
                fused[cid] = fused.get(cid, 0.0) + weight * ((s - lo) / (hi - lo) if hi > lo else 1.0)
    return fused


def search(index: Index, query: str, k: int = 10, filters: Filters | None = None,
           cfg: RetrievalConfig | None = None) -> list[SearchResult]:
    query = check_query(query, k)
    filters = filters or Filters()
    cfg = cfg or RetrievalConfig()
    allowed = allowed_ids(index, filters)
    denied = index.restricted_ids if allowed is None and not filters.include_restricted else frozenset()
    n = max(cfg.candidates, k)
    named = index.lexical.glossary.named(query) if cfg.acronyms else []
    extra = index.lexical.glossary.expand(query) if named else []
    wide = f"{query} ({'; '.join(extra)})" if extra else query
    dense_q = wide if cfg.acronyms >= 2 else query
    dense = dense_ranking(index, dense_q, n + len(denied), allowed) if cfg.mode in ("hybrid", "dense") else []
    sparse = bm25_ranking(index, wide, n + len(denied), allowed) if cfg.mode in ("hybrid", "bm25") else []
    if denied:
        dense = [x for x in dense if x[0] not in denied][:n]
        sparse = [x for x in sparse if x[0] not in denied][:n]
    if cfg.mode == "dense":
        fused = {cid: s for cid, s in dense}
    elif cfg.mode == "bm25":
        fused = {cid: s for cid, s in sparse}
    else:
        fused = fuse([(dense, cfg.dense_weight), (sparse, cfg.bm25_weight)], cfg)
    if not fused:
        return []
    if (cfg.minute_boost and MINUTE_IN_QUERY.search(query)) or cfg.title_boost or (
            cfg.date_boost and any(query_periods(query))) or (cfg.recency_boost and RECENT_IN_QUERY.search(query)) or (
            cfg.attendance_boost and ATTENDANCE_IN_QUERY.search(query)):
        _boost(fused, {r["rowid"]: r for r in _light_rows(index, list(fused))}, query, cfg)
    if cfg.sentence_boost or cfg.decision_boost:
        _sentence_boost(index, fused, query, cfg, max(k, cfg.sentence_depth), named)
    best = sorted(fused, key=lambda c: (-fused[c], c))[:k]
    rows = {r["rowid"]: r for r in _rows(index, best)}
    dense_rank = {cid: i for i, (cid, _) in enumerate(dense, start=1)}
    dense_score = dict(dense)
    bm25_rank = {cid: i for i, (cid, _) in enumerate(sparse, start=1)}
    return [_result(rows[c], fused[c], {"dense_rank": dense_rank.get(c), "bm25_rank": bm25_rank.get(c),
                                        "dense_score": dense_score.get(c)}) for c in best if c in rows]


def _boost(fused: dict[int, float], rows: dict, query: str, cfg: RetrievalConfig) -> None:
    scale = max(fused.values()) if fused else 1.0
    m = MINUTE_IN_QUERY.search(query)
    if m and cfg.minute_boost:
        num, yy = m.group(1), m.group(2)
        for cid, r in rows.items():
            if r["kind"] == "minute" and r["number"] == num and (yy is None or r["date"][2:4] in (yy, _prev_year(yy))):
                fused[cid] += cfg.minute_boost * scale
    if cfg.date_boost:
        months, years = query_periods(query)
        for cid, r in rows.items():
            if r["date"][:7] in months:
                fused[cid] += cfg.date_boost * scale
            elif r["date"][:4] in years:
                fused[cid] += cfg.date_boost * scale / 2
    if cfg.recency_boost and RECENT_IN_QUERY.search(query):
        dates = sorted({r["date"] for r in rows.values()})
        if len(dates) > 1:
            place = {d: i / (len(dates) - 1) for i, d in enumerate(dates)}
            for cid, r in rows.items():
                fused[cid] += cfg.recency_boost * scale * place[r["date"]]
    if cfg.attendance_boost and ATTENDANCE_IN_QUERY.search(query):
        for cid, r in rows.items():
            if r["item_id"].endswith("/attendance"):
                fused[cid] += cfg.attendance_boost * scale
    if cfg.title_boost:
        qwords = {w for w in re.findall(r"[a-z]{4,}", query.lower())}
        for cid, r in rows.items():
            twords = set(re.findall(r"[a-z]{4,}", r["item_title"].lower()))
            if qwords and twords:
                fused[cid] += cfg.title_boost * scale * len(qwords & twords) / len(qwords)


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+|\t")
RECENT_IN_QUERY = re.compile(r"\b(?:last|latest|most recent(?:ly)?|current(?:ly)?|now|still)\b", re.I)
DECISION_IN_QUERY = re.compile(
    r"\b(?:resolved?|decided?|decisions?|agreed?|recommend(?:ed|ations?)?|ask(?:ed)? for|request(?:ed)?)\b", re.I)
_RESOLVED = re.compile(r"\bRESOLVED\b")
ATTENDANCE_IN_QUERY = re.compile(  # not "school attendance": that is a subject, not who was at a meeting
    r"\b(?:who (?:came|attended|spoke|represented|was there|were there|was present|were present|took part|joined)"
    r"|attend(?:ed|ing|ance at|ees (?:of|at)) (?:the|a|this|that) (?:meeting|board|committee|discussion|session)"
    r"|(?:was|were) (?:present|there)|by invitation|apologies)\b", re.I)


def _sentence_boost(index: Index, fused: dict[int, float], query: str, cfg: RetrievalConfig, depth: int,
                    named: list[tuple[str, str, bool]] = ()) -> None:
    """Re-score the best ``depth`` candidates: a passage with one sentence (or table cell) holding
    most of the query's words answers it better than one whose matches are scattered. Adds
    ``sentence_boost`` × the best fused score × the best sentence's idf-weighted share of the
    query's words (`council eval`: MRR@10 0.762 -> 0.789; about 2.5 ms a query at 100k chunks).

    A sentence holding an abbreviation the query names (``named``, see indexer/acronyms.py) holds
    its long form's words too, and the other way round. With ``decision_boost``, a question about
    what was resolved favours passages holding a RESOLVED block."""
    from indexer.common.acronyms import Aliases
    from indexer.common.text import content_words, question_words

    words = question_words(query)
    top = sorted(fused, key=lambda c: (-fused[c], c))[:depth]
    if not top:
        return
    scale = fused[top[0]]
    decision = cfg.decision_boost and DECISION_IN_QUERY.search(query)
    idf = index.idf()
    weight = {w: idf(w) for w in words}
    total = sum(weight.values())
    aliases = Aliases(named)
    texts = index.query(f"SELECT rowid, text FROM chunks WHERE rowid IN ({','.join('?' * len(top))})", top)
    for rowid, text in texts:
        if cfg.sentence_boost and total > 0:
            best = 0.0
            for sentence in _SENTENCE_SPLIT.split(text):
                have = aliases.extend(set(content_words(sentence)))
                best = max(best, sum(v for w, v in weight.items() if w in have))
            fused[rowid] += cfg.sentence_boost * scale * best / total
        if decision and _RESOLVED.search(text):
            fused[rowid] += cfg.decision_boost * scale


def _prev_year(yy: str) -> str:
    """Minute numbers run per municipal year: 25/19 may be recorded in early 2020."""
    return f"{(int(yy) + 1) % 100:02d}"


ROW_SQL = """
SELECT c.rowid, c.id, c.text, c.item_id, c.document_id, c.meeting_id, c.path, c.span_start,
       c.span_end, c.page_start, c.page_end, m.committee, m.date, d.doc_type, d.published_for,
       i.number, i.title AS item_title, i.kind, pm.date AS published_date
FROM chunks c
JOIN meetings m ON m.id = c.meeting_id
JOIN documents d ON d.id = c.document_id
JOIN items i ON i.id = c.item_id
LEFT JOIN meetings pm ON pm.id = d.published_for
WHERE c.rowid IN ({})
"""


LIGHT_SQL = """
SELECT c.rowid, c.item_id, i.number, i.title AS item_title, i.kind, m.date
FROM chunks c JOIN items i ON i.id = c.item_id JOIN meetings m ON m.id = c.meeting_id
WHERE c.rowid IN ({})
"""


def _light_rows(index: Index, ids: list[int]):
    """Only what the boosts read, for every fused candidate."""
    out = []
    for s in range(0, len(ids), 900):
        part = ids[s:s + 900]
        out += index.query(LIGHT_SQL.format(",".join("?" * len(part))), part)
    return out


def _rows(index: Index, ids: list[int]):
    out = []
    for s in range(0, len(ids), 900):
        part = ids[s:s + 900]
        out += index.query(ROW_SQL.format(",".join("?" * len(part))), part)
    return out


def _result(r, score: float, signals: dict) -> SearchResult:
    published = r["published_date"] or r["date"]
    return SearchResult(
        id=r["id"], score=score, text=r["text"], committee=r["committee"], meeting_id=r["meeting_id"],
        meeting_date=date.fromisoformat(r["date"]),
        doc_type="minutes" if r["kind"] == "minute" else r["doc_type"],
        item_id=r["item_id"], item_number=r["number"], item_title=r["item_title"], item_kind=r["kind"],
        document_id=r["document_id"], path=r["path"], published_for=date.fromisoformat(published),
        page_start=r["page_start"], page_end=r["page_end"], span=(r["span_start"], r["span_end"]),
        signals=signals,
    )


def result_by_chunk_id(index: Index, chunk_id: str) -> SearchResult | None:
    rows = index.query("SELECT rowid FROM chunks WHERE id=?", (chunk_id,))
    if not rows:
        return None
    r = _rows(index, [rows[0][0]])
    return _result(r[0], 0.0, {}) if r else None
