"""Retrieval evaluation on the gold set: hit@1, hit@5, MRR@10, nDCG@10 and citation accuracy.

A result is relevant to a question when its passage contains a judged phrase AND carries
the judged meeting date. Citation accuracy checks every returned result against an
independent oracle read straight from the source text (see :func:`oracle_date`).

Runs are written in TREC run format, relevance judgements as TREC qrels, and the table
to ``eval/results.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from indexer.common.dates import find_date

K = 10


def norm(s: str) -> str:
    return " ".join(s.replace("**", "").replace("\u00a0", " ").split())


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    category: str
    answerable: bool
    relevant: tuple[tuple[str, str], ...]  # (meeting_date, phrase)


def load_gold(path: Path) -> list[Question]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            out.append(Question(q["id"], q["question"], q["category"], bool(q["answerable"]),
                                tuple((r["meeting_date"], norm(r["phrase"])) for r in q.get("relevant", []))))
    return out


@dataclass(frozen=True)
class Hit:
    """What the metrics need of one returned result."""

    id: str
    text: str
    meeting_date: str
    score: float
    cited_ok: bool | None = None


def relevant_pairs(q: Question, h: Hit) -> set[int]:
    text = norm(h.text)
    return {i for i, (d, p) in enumerate(q.relevant) if d == h.meeting_date and p in text}


def metrics(q: Question, hits: list[Hit]) -> dict[str, float]:
    rels = [bool(relevant_pairs(q, h)) for h in hits[:K]]
    first = next((i for i, r in enumerate(rels) if r), None)
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(rels) if r)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(q.relevant), K)))
    covered = set().union(*[relevant_pairs(q, h) for h in hits[:K]]) if hits else set()
    return {
        "hit@1": float(first == 0),
        "hit@5": float(first is not None and first < 5),
        "mrr@10": 1 / (first + 1) if first is not None else 0.0,
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "recall@10": len(covered) / len(q.relevant) if q.relevant else 0.0,
    }


def evaluate(questions: list[Question], run: Callable[[str], list[Hit]]) -> tuple[dict, dict[str, list[Hit]]]:
    """Mean metrics over answerable questions, plus citation accuracy over all results."""
    per_q: dict[str, list[Hit]] = {}
    sums: dict[str, float] = {}
    answerable = [q for q in questions if q.answerable]
    cited = correct = 0
    for q in questions:
        hits = run(q.question)
        per_q[q.id] = hits
        for h in hits:
            if h.cited_ok is not None:
                cited += 1
                correct += int(h.cited_ok)
        if q.answerable:
            for name, v in metrics(q, hits).items():
                sums[name] = sums.get(name, 0.0) + v
    out = {name: v / len(answerable) for name, v in sums.items()}
    out["citation_acc"] = correct / cited if cited else float("nan")
    out["n"] = len(answerable)
    return out, per_q


# ------------------------------------------------------------------ the citation oracle

_MIN_HEAD = re.compile(r"Minutes of (?:the )?Meeting of [\s\S]{0,250}?held\b[^\n]*", re.I)
_CLOSED = re.compile(r"\(Meeting closed at [^)]*\)", re.I)
_TIME_AND_DATE = re.compile(r"Time and Date\s*\n+\s*([^\n]+)", re.I)
_MINUTE_LINE = re.compile(r"^(?:#+\s*)?(?:\*\*)?\s*(\d{1,3})\.\s+\S", re.M)


def oracle_date(text: str, offset: int) -> str | None:
    """The meeting a passage at ``offset`` belongs to, read from the file's own headings:
    inside a "Minutes of the Meeting ... held ... on DATE" section (up to "Meeting closed"),
    that DATE; anywhere else, the date on the pack's front sheet."""
    for m in _MIN_HEAD.finditer(text):
        if m.start() > offset:
            break
        closed = _CLOSED.search(text, m.end())
        end = closed.end() if closed else len(text)
        if offset < end:
            d = find_date(m.group(0))
            return d[0].isoformat() if d else None
    fs = _TIME_AND_DATE.search(text[:5000])
    if fs:
        d = find_date(fs.group(1))
        return d[0].isoformat() if d else None
    return None


def oracle_minute(text: str, offset: int) -> str | None:
    """The number of the last minute heading before ``offset`` in a minutes section."""
    head = None
    for m in _MIN_HEAD.finditer(text):
        if m.start() <= offset:
            head = m
    if head is None:
        return None
    nums = [m.group(1) for m in _MINUTE_LINE.finditer(text, head.end(), offset + 1)]
    return nums[-1] if nums else None


def check_citation(source_text: str, span: tuple[int, int], text: str, meeting_date: str,
                   kind: str | None, number: str | None) -> bool:
    """Verbatim at its span, dated as the oracle dates it, and (for minutes) the right minute."""
    if source_text[span[0]:span[1]] != text:
        return False
    middle = (span[0] + span[1]) // 2  # a passage belongs where most of it lies
    if oracle_date(source_text, middle) != meeting_date:
        return False
    if kind == "minute":
        return oracle_minute(source_text, middle) == number
    return True


# ------------------------------------------------------------------ output

def write_trec_run(path: Path, name: str, per_q: dict[str, list[Hit]]) -> None:
    with path.open("w") as fh:
        for qid, hits in per_q.items():
            for rank, h in enumerate(hits, start=1):
                fh.write(f"{qid} Q0 {h.id} {rank} {h.score:.6f} {name}\n")


def write_qrels(path: Path, questions: list[Question], chunks: list[tuple[str, str, str]]) -> None:
    """TREC qrels over the index's chunks (id, text, meeting_date) that contain a judged phrase."""
    with path.open("w") as fh:
        for q in questions:
            for cid, text, d in chunks:
                if relevant_pairs(q, Hit(cid, text, d, 0.0)):
                    fh.write(f"{q.id}\t0\t{cid}\t1\n")


def table(rows: list[tuple[str, dict]]) -> str:
    cols = ["hit@1", "hit@5", "mrr@10", "ndcg@10", "recall@10", "citation_acc"]
    out = ["| configuration | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for name, m in rows:
        out.append(f"| {name} | " + " | ".join(f"{m.get(c, float('nan')):.3f}" for c in cols) + " |")
    return "\n".join(out)


def today() -> str:
    return date.today().isoformat()
