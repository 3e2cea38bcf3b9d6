#!/usr/bin/env python3
"""Validate eval/gold.jsonl against the corpus (stdlib only).

For every question it checks:
  * well-formed JSON with the expected keys, a unique id, a known category;
  * answerable questions have relevant passages, unanswerable ones have none;
  * each meeting_date is a real YYYY-MM-DD date;
  * each phrase (4-15 words) occurs verbatim in the corpus after collapsing runs of
    whitespace to one space and removing markdown "**" (case-sensitive);
  * the phrase does not straddle a paragraph break or a table-cell boundary (tab);
  * the meeting_date is the date the passage carries: inside a "Minutes of the
    Meeting ... held at ... on <date>" section (up to "(Meeting closed at ...)") it is
    the minutes' date, anywhere else in a pack it is the pack's own meeting date
    (taken from the front sheet "Time and Date" block);
  * follow_up questions cite at least two different meetings.

Non-unique phrases are reported as warnings only.  Exit status is 1 on any error.

Usage: python eval/check_gold.py [--gold eval/gold.jsonl] [--corpus corpus] [-q]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

CATEGORIES = ("fact", "decision", "who_when", "carried_minutes", "follow_up", "table", "unanswerable")
BOUNDARY = "\u241e"  # marks a paragraph break or a tab in the boundary-aware text
MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}

HERE = Path(__file__).resolve().parent


def normalise(text: str) -> str:
    """Whitespace-collapsed, '**'-free text: the form phrases are matched against."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


def normalise_with_boundaries(text: str) -> str:
    """Like normalise(), but tabs and blank-line paragraph breaks become BOUNDARY."""
    text = text.replace("**", "").replace("\t", BOUNDARY)
    text = re.sub(r"\n[^\S\n]*\n", BOUNDARY, text)
    text = re.sub(r"\s+", " ", text)
    return re.sub(rf" ?{BOUNDARY}[ {BOUNDARY}]*", BOUNDARY, text).strip()


def _date(day: str, month: str, year: str) -> dt.date | None:
    m = MONTHS.get(month.lower())
    return dt.date(int(year), m, int(day)) if m else None


class CorpusFile:
    PACK_RE = re.compile(r"Time and Date [\d.:]+ ?[ap]m on \w+day, (\d{1,2})(?:st|nd|rd|th)? (\w+),? (\d{4})")
    MINUTES_RE = re.compile(r"Minutes of the Meeting of .{0,200}? held at [\d.:]+ ?[ap]m on \w+day, "
                            r"(\d{1,2})(?:st|nd|rd|th)? (\w+),? (\d{4})")
    CLOSED_RE = re.compile(r"\(Meeting closed at [^)]*\)")

    def __init__(self, path: Path):
        self.path = path
        raw = path.read_text(encoding="utf-8")
        self.text = normalise(raw)
        self.bounded = normalise_with_boundaries(raw)
        m = self.PACK_RE.search(self.text)
        self.pack_date = _date(*m.groups()) if m else None
        self.minutes: list[tuple[int, int, dt.date]] = []  # (start, end, date) in self.text
        for mm in self.MINUTES_RE.finditer(self.text):
            end = self.CLOSED_RE.search(self.text, mm.end())
            stop = end.end() if end else len(self.text)
            # a minutes-only file: everything before the heading belongs to the minutes too
            start = 0 if self.pack_date is None and not self.minutes else mm.start()
            self.minutes.append((start, stop, _date(*mm.groups())))

    def dates(self) -> set[dt.date]:
        return {d for d in [self.pack_date, *(d for _, _, d in self.minutes)] if d}

    def date_at(self, pos: int) -> tuple[dt.date | None, str]:
        for start, stop, d in self.minutes:
            if start <= pos < stop:
                return d, "minutes"
        return self.pack_date, "pack"

    def occurrences(self, phrase: str) -> list[int]:
        out, i = [], self.text.find(phrase)
        while i != -1:
            out.append(i)
            i = self.text.find(phrase, i + 1)
        return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", type=Path, default=HERE / "gold.jsonl")
    ap.add_argument("--corpus", type=Path, default=HERE.parent / "corpus")
    ap.add_argument("-q", "--quiet", action="store_true", help="do not print warnings")
    args = ap.parse_args(argv)

    files = [CorpusFile(p) for p in sorted(args.corpus.glob("*.txt")) + sorted(args.corpus.glob("*.md"))]
    if not files:
        print(f"ERROR: no corpus files in {args.corpus}")
        return 1
    print("Corpus files and the dates their passages can carry:")
    for f in files:
        mins = ", ".join(d.isoformat() for _, _, d in f.minutes) or "-"
        print(f"  {f.path.name}: pack {f.pack_date or '-'}; minutes {mins}")

    errors: list[str] = []
    warnings: list[str] = []
    seen_ids: set[str] = set()
    seen_questions: dict[str, str] = {}
    cat_counts: Counter[str] = Counter()
    date_questions: dict[str, set[str]] = defaultdict(set)
    date_passages: Counter[str] = Counter()
    phrase_users: dict[tuple[str, str], list[str]] = defaultdict(list)
    n = 0

    for lineno, line in enumerate(args.gold.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"line {lineno}"
        try:
            q = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{where}: invalid JSON ({exc})")
            continue
        n += 1
        qid = q.get("id")
        where = f"{qid or where}"
        missing = {"id", "question", "category", "answerable", "relevant"} - q.keys()
        if missing:
            errors.append(f"{where}: missing keys {sorted(missing)}")
            continue
        if not isinstance(qid, str) or not re.fullmatch(r"(?:q\d{3,}|h\d{3,}|h[a-z]\d{2,})", qid):
            errors.append(f"{where}: bad id {qid!r}")
        if qid in seen_ids:
            errors.append(f"{where}: duplicate id")
        seen_ids.add(qid)
        qtext = (q["question"] or "").strip()
        if not qtext:
            errors.append(f"{where}: empty question")
        elif qtext.lower() in seen_questions:
            warnings.append(f"{where}: same question text as {seen_questions[qtext.lower()]}")
        seen_questions.setdefault(qtext.lower(), qid)
        cat = q["category"]
        if cat not in CATEGORIES:
            errors.append(f"{where}: unknown category {cat!r}")
        cat_counts[cat] += 1
        rel = q["relevant"]
        if not isinstance(q["answerable"], bool):
            errors.append(f"{where}: answerable must be true or false")
        if not isinstance(rel, list):
            errors.append(f"{where}: relevant must be a list")
            continue
        if q["answerable"] is False or cat == "unanswerable":
            if rel:
                errors.append(f"{where}: unanswerable question has relevant entries")
            if q["answerable"] is not False or cat != "unanswerable":
                errors.append(f"{where}: answerable=false and category 'unanswerable' must go together")
            continue
        if not rel:
            errors.append(f"{where}: answerable question has no relevant entries")
        dates_here: set[str] = set()
        for j, r in enumerate(rel):
            rw = f"{where} relevant[{j}]"
            if not isinstance(r, dict) or set(r) != {"meeting_date", "phrase"}:
                errors.append(f"{rw}: must be an object with exactly meeting_date and phrase")
                continue
            md, phrase = r["meeting_date"], r["phrase"]
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", md):
                    raise ValueError
                want = dt.date.fromisoformat(md)
            except (ValueError, TypeError):
                errors.append(f"{rw}: bad meeting_date {md!r}")
                continue
            dates_here.add(md)
            date_passages[md] += 1
            date_questions[md].add(qid)
            if not isinstance(phrase, str) or phrase != normalise(phrase):
                errors.append(f"{rw}: phrase must be a whitespace-normalised string without '**': {phrase!r}")
                continue
            words = len(phrase.split())
            if not 4 <= words <= 15:
                errors.append(f"{rw}: phrase has {words} words (want 4-15): {phrase!r}")
            phrase_users[(md, phrase)].append(qid)
            hits = [(f, pos) for f in files for pos in f.occurrences(phrase)]
            if not hits:
                errors.append(f"{rw}: phrase not found in corpus: {phrase!r}")
                continue
            if not any(phrase in f.bounded for f, _ in hits):
                errors.append(f"{rw}: phrase spans a paragraph break or table-cell boundary: {phrase!r}")
            if not any(want in f.dates() for f, _ in hits):
                errors.append(f"{rw}: {md} is not a date carried by any file containing {phrase!r}")
            carried = {(f.path.name, *f.date_at(pos)) for f, pos in hits}
            if not any(d == want for _, d, _ in carried):
                got = "; ".join(f"{name} {kind} -> {d}" for name, d, kind in sorted(carried, key=str))
                errors.append(f"{rw}: meeting_date {md} does not match where the phrase sits ({got}): {phrase!r}")
            if len(hits) > 1:
                places = ", ".join(sorted({f"{f.path.name[:3]}@{f.date_at(p)[0]}" for f, p in hits}))
                warnings.append(f"{rw}: phrase occurs {len(hits)} times ({places}): {phrase!r}")
        if cat == "follow_up" and len(dates_here) < 2:
            errors.append(f"{where}: follow_up question cites fewer than two meetings")

    for (md, phrase), users in phrase_users.items():
        if len(set(users)) > 1:
            warnings.append(f"phrase used by several questions {sorted(set(users))}: {md} {phrase!r}")

    print(f"\n{n} questions")
    print("\nPer category:")
    for c in CATEGORIES:
        print(f"  {c:16s} {cat_counts.get(c, 0):3d}")
    for c in sorted(set(cat_counts) - set(CATEGORIES)):
        print(f"  {c:16s} {cat_counts[c]:3d}  (unknown)")
    print("\nPer meeting date (questions citing it / relevant passages):")
    known = sorted({d.isoformat() for f in files for d in f.dates()} | set(date_passages))
    for d in known:
        print(f"  {d}  {len(date_questions.get(d, ())):3d} questions  {date_passages.get(d, 0):3d} passages")

    if warnings and not args.quiet:
        print(f"\n{len(warnings)} warning(s):")
        for w in warnings:
            print(f"  WARN {w}")
    if errors:
        print(f"\n{len(errors)} error(s):")
        for e in errors:
            print(f"  ERROR {e}")
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
