"""`council eval --answers`: what a member reads, scored against ``eval/answers.jsonl``.

Each question names the fact an answer must state (a phrase, number or date, with a few accepted
variants) and the meeting(s) it comes from, or is marked unanswerable. Every question carries a
``layout``: the set of papers it was written on (``eval/answer_corpora.json`` says where each is),
so sets on other papers (the generated ModernGov-style PDFs) join by adding questions with their
own layout; a layout whose papers are not on disk is reported as not run. ``split`` is "tune" or
"heldout": no rule or threshold is chosen on the held-out part.

Scores, overall and per question type, for each split:

- **fact**: an answerable question's answer states one of its facts in a sentence whose marker
  cites a passage of the right meeting (timeline lines count: the web form shows them as part
  of the answer);
- **answered**: an answerable question gets an answer;
- **refused**: an unanswerable question gets none;
- **citations ok**: of the answers given, those whose markers are numbered in order of first use
  from [1], each resolving to a citation whose passage holds the sentence (after cleaning), with no
  passage cited under two numbers.

Facts are matched case-insensitively on whole words, after markup is dropped and quotes, dashes
and spaces are made uniform, so "**61.2%**" and "61.2%" are the same fact but "14" is not found
in "2014".
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from indexer.answer.ask import ask
from indexer.answer.compose import strip_label
from indexer.common.clean import clean_text
from indexer.common.contract import AskResponse
from indexer.store.index import Index

TYPES = ("number", "date", "who", "decision", "reason", "story", "open")
SPLITS = ("tune", "heldout")


@dataclass(frozen=True)
class AnswerQuestion:
    id: str
    question: str
    type: str
    answerable: bool
    layout: str
    split: str
    facts: tuple[str, ...] = ()
    meetings: tuple[str, ...] = ()
    kind: str | None = None  # for unanswerable ones: not_given | off_subject | out_of_period


def load_questions(paths: list[Path]) -> list[AnswerQuestion]:
    """The questions of every file given (JSONL); a line that is not a question names its file and line."""
    out: list[AnswerQuestion] = []
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
                out.append(AnswerQuestion(
                    q["id"], q["question"], q.get("type", "open"), bool(q["answerable"]), q.get("layout", "default"),
                    q.get("split", "tune"), tuple(q.get("facts", ())), tuple(q.get("meetings", ())),
                    q.get("unanswerable")))
            except (ValueError, KeyError, TypeError) as e:
                raise ValueError(f"{path}:{n}: not an answer question ({e})") from None
    seen = Counter(q.id for q in out)
    dup = [i for i, c in seen.items() if c > 1]
    if dup:
        raise ValueError(f"question ids used twice: {', '.join(sorted(dup))}")
    return out


# ---------------------------------------------------------------------------- scoring one answer

_MARKS = re.compile(r"((?:\s*\[\d+\])+)")


def fold(text: str) -> str:
    """Text as facts are compared: markup dropped, quotes/dashes/spaces uniform, lower case."""
    t = clean_text(text).replace("\u00a0", " ")
    for a, b in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "-")):
        t = t.replace(a, b)
    return " ".join(t.split()).lower()


def states(fact: str, text: str) -> bool:
    return re.search(r"(?<![\w])" + re.escape(fold(fact)) + r"(?![\w])", fold(text)) is not None


def answer_parts(answer: str) -> list[tuple[str, list[int]]]:
    """("sentence", [marker numbers]) for an answer "S1 [1] S2 [2][3]"; text with no marker gets []."""
    bits = _MARKS.split(answer)
    out = []
    for i in range(0, len(bits), 2):
        text = bits[i].strip()
        marks = [int(n) for n in re.findall(r"\d+", bits[i + 1])] if i + 1 < len(bits) else []
        if text or marks:
            out.append((text, marks))
    return out


def fact_cited(q: AnswerQuestion, out: dict) -> bool:
    """One of the facts stated in a sentence (or timeline line) citing a passage of the right meeting."""
    if not out.get("answered"):
        return False
    cites = out.get("citations") or []
    for sentence, marks in answer_parts(out.get("answer") or ""):
        dates = {cites[n - 1]["meeting_date"] for n in marks if 1 <= n <= len(cites)}
        if dates & set(q.meetings) and any(states(f, sentence) for f in q.facts):
            return True
    for e in out.get("timeline") or []:
        c = e.get("citation") or {}
        if c.get("meeting_date") in q.meetings and any(states(f, e.get("text", "")) for f in q.facts):
            return True
    return False


def citations_ok(out: dict) -> bool:
    """Markers numbered by first use from [1]; each sentence in its cited passage (cleaned); no
    passage cited twice. A story line's dated label ("9 January 2020, planned: ") is not part of the quote."""
    cites = out.get("citations") or []
    parts = answer_parts(out.get("answer") or "")
    order = list(dict.fromkeys(n for _, marks in parts for n in marks))
    if order != list(range(1, len(order) + 1)):
        return False
    if len({c["id"] for c in cites}) != len(cites):
        return False
    for sentence, marks in parts:
        quote = fold(strip_label(sentence))
        for n in marks:
            if not 1 <= n <= len(cites) or quote not in fold(cites[n - 1].get("text_clean") or cites[n - 1]["text"]):
                return False
    return True


@dataclass
class Scored:
    q: AnswerQuestion
    answered: bool
    fact: bool
    cites_ok: bool
    answer: str
    question_type: str | None = None
    citations: list[str] = field(default_factory=list)


def score(q: AnswerQuestion, out: dict) -> Scored:
    AskResponse.model_validate(out)  # the contract holds for every answer scored
    return Scored(q, bool(out["answered"]), fact_cited(q, out) if q.answerable else False,
                  citations_ok(out) if out["answered"] else True, out.get("answer") or "",
                  out.get("question_type"), [c["citation"]["text"] for c in out.get("citations") or []])


def run(index_for: dict[str, Index], questions: list[AnswerQuestion], settings) -> list[Scored]:
    """Ask every question whose layout has an index."""
    return [score(q, ask(index_for[q.layout], q.question, None, settings)) for q in questions if q.layout in index_for]


# ---------------------------------------------------------------------------- tables

def rates(rows: list[Scored]) -> dict:
    an = [r for r in rows if r.q.answerable]
    un = [r for r in rows if not r.q.answerable]
    given = [r for r in rows if r.answered]
    return {"answerable": len(an), "fact": sum(r.fact for r in an), "answered": sum(r.answered for r in an),
            "unanswerable": len(un), "refused": sum(not r.answered for r in un),
            "given": len(given), "cites_ok": sum(r.cites_ok for r in given)}


def summary(rows: list[Scored]) -> dict:
    """{split: {"all": rates, type: rates, ...}} and the same over both splits as "both"."""
    out: dict = {}
    for split in (*SPLITS, "both"):
        part = [r for r in rows if split == "both" or r.q.split == split]
        by_type = defaultdict(list)
        for r in part:
            by_type[r.q.type].append(r)
        out[split] = {"all": rates(part), **{t: rates(by_type[t]) for t in TYPES if by_type[t]}}
        out[split]["layouts"] = {lay: rates([r for r in part if r.q.layout == lay])
                                 for lay in sorted({r.q.layout for r in part})}
    return out


def _frac(n: int, d: int) -> str:
    return f"{n}/{d} ({n / d:.2f})" if d else "–"


def table(block: dict) -> str:
    lines = ["| questions | fact stated, right meeting | answered (answerable) | refused (unanswerable) "
             "| citations in order and verbatim |", "|---|---|---|---|---|"]
    rows = [("all", block["all"])] + [(t, block[t]) for t in TYPES if t in block]
    rows += [(f"layout: {lay}", m) for lay, m in block.get("layouts", {}).items()]
    for name, m in rows:
        lines.append(f"| {name} | {_frac(m['fact'], m['answerable'])} | {_frac(m['answered'], m['answerable'])} "
                     f"| {_frac(m['refused'], m['unanswerable'])} | {_frac(m['cites_ok'], m['given'])} |")
    return "\n".join(lines)


START, END = "<!-- answer-evaluation:start -->", "<!-- answer-evaluation:end -->"


def splice(existing: str, section: str, tail: str = "") -> str:
    """``existing`` (results.md) with its answer section replaced by ``section``; when it has none,
    the section goes before ``tail`` (the hand-written notes that close the file) or at the end."""
    if START in existing and END in existing:
        head, rest = existing.split(START, 1)
        return head + section.rstrip("\n") + rest.split(END, 1)[1]
    if tail and existing.endswith(tail):
        body = existing[:len(existing) - len(tail)].rstrip("\n")
        return body + "\n\n" + section + "\n" + tail
    return existing.rstrip("\n") + ("\n\n" if existing.strip() else "") + section


def keep_section(old: str, new: str, tail: str = "") -> str:
    """The retrieval tables are rewritten whole; carry the answer section of ``old`` over into ``new``."""
    if START in old and END in old and START not in new:
        return splice(new, START + old.split(START, 1)[1].split(END, 1)[0] + END + "\n", tail)
    return new


def per_question(rows: list[Scored]) -> list[dict]:
    return [{"id": r.q.id, "split": r.q.split, "type": r.q.type, "layout": r.q.layout, "answerable": r.q.answerable,
             "question": r.q.question, "answered": r.answered, "fact": r.fact, "citations_ok": r.cites_ok,
             "question_type": r.question_type, "answer": r.answer, "citations": r.citations} for r in rows]
