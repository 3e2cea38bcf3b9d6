"""Abbreviations the papers define, so a query can use either form.

Council papers define their abbreviations once and use them everywhere after: "Department for
Education (DfE)", "Newly Qualified Social Workers (NQSW)", "Not in Education, Employment or
Training (NEET)". A councillor asking "when did the DfE lift its intervention" then finds nothing
in a passage that says "the Department for Education removed the intervention", and one asking
about "newly qualified social workers" misses "58 NQSWs". BM25 sees words, not meanings.

``Glossary.build(texts)`` reads every "Long Form (ABBR)" whose long form's word initials spell the
abbreviation (minor words such as "for", "of", "and" may be skipped or spell a letter), and keeps,
for each abbreviation, the long form the papers use most. ``Glossary.expand(query)`` returns the
words to add to a query: the long form of each abbreviation it names, and the abbreviation of each
long form it spells out.

An abbreviation that is also an ordinary word of the papers ("SEND", "CARE") is matched in a query
only as written in capitals: "send" in "did they send the report" is not SEND.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from indexer.common.text import content_words

_ABBR_IN_PARENS = re.compile(r"\(\s*([A-Z][A-Za-z&]{0,8}[A-Z])(s?)\s*\)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_MINOR = frozenset("a an and & for in of on or the to with at by".split())
_LOWER_WORD = re.compile(r"(?<![\w'’])[a-z]{2,10}(?![\w'’])")
MAX_LONG_WORDS = 12


def _spell(letters: str, words: list[str]) -> list[str] | None:
    """The shortest tail of ``words`` whose initials spell ``letters`` (minor words may be
    skipped); None when there is none."""
    i, j = len(letters) - 1, len(words) - 1
    used = 0
    while i >= 0 and j >= 0 and used < MAX_LONG_WORDS:
        w = words[j].lower()
        if w[0] == letters[i]:
            i -= 1
        elif w not in _MINOR:
            return None
        j -= 1
        used += 1
    if i >= 0:
        return None
    tail = words[j + 1:]
    while tail and tail[0].lower() in _MINOR:  # a long form starts with a word that counts
        tail = tail[1:]
    return tail if len(tail) >= 2 else None


def definitions(text: str) -> Iterable[tuple[str, str]]:
    """``(abbreviation, long form)`` for each "Long Form (ABBR)" in ``text``."""
    for m in _ABBR_IN_PARENS.finditer(text):
        abbr = m.group(1)
        if sum(c.isupper() for c in abbr) < 2:
            continue
        before = _WORD.findall(text[max(0, m.start() - 160):m.start()])
        long = _spell(abbr.lower().replace("&", ""), before[-MAX_LONG_WORDS:])
        if long:
            yield abbr, " ".join(w.strip("'’") for w in long)


class Glossary:
    """Abbreviation -> long form, read from the papers; see the module docstring."""

    def __init__(self, long_forms: dict[str, str], common: Iterable[str] = ()) -> None:
        self.long_forms = dict(long_forms)
        self.common = frozenset(common)  # abbreviations that are also ordinary (lower-case) words
        self._by_key = {a.lower(): a for a in self.long_forms}
        self._long_re = None
        if self.long_forms:
            alts = sorted({re.escape(_singular(v)) for v in self.long_forms.values()}, key=len, reverse=True)
            self._long_re = re.compile(r"\b(" + "|".join(alts) + r")s?\b")
        self._abbr_of = {_singular(v): a for a, v in self.long_forms.items()}

    def __len__(self) -> int:
        return len(self.long_forms)

    @classmethod
    def build(cls, texts: Iterable[str]) -> "Glossary":
        return cls.from_counts(*cls.counts(texts))

    @staticmethod
    def counts(texts: Iterable[str], seen: dict[str, Counter] | None = None,
               lower: set[str] | None = None) -> tuple[dict[str, Counter], set[str]]:
        """What a glossary is made from, added to ``seen`` and ``lower`` when given: how often
        each long form defines each abbreviation, and every lower-case word of 2 to 10 letters
        (an abbreviation among them is also an ordinary word). Kept beside an index so that the
        next one adds only its new texts' (``indexer/store/lexical.py``)."""
        seen = defaultdict(Counter, seen or {})
        lower = set() if lower is None else lower
        for t in texts:
            for abbr, long in definitions(t):
                seen[abbr][long] += 1
            lower.update(_LOWER_WORD.findall(t))
        return seen, lower

    @classmethod
    def from_counts(cls, seen: dict[str, Counter], lower: set[str]) -> "Glossary":
        long_forms = {}
        for abbr, forms in seen.items():
            # the most used spelling; case and apostrophes vary between reports
            long_forms[abbr] = max(forms.items(), key=lambda kv: (kv[1], -len(kv[0]), kv[0]))[0]
        return cls(long_forms, {a for a in long_forms if a.lower() in lower})

    def named(self, query: str) -> list[tuple[str, str, bool]]:
        """``(abbreviation, long form, abbreviation_in_query)`` for each abbreviation the query
        names in either form, once each."""
        out: dict[str, tuple[str, str, bool]] = {}
        for tok in re.findall(r"[A-Za-z&]{2,10}", query):
            key = tok[:-1] if tok.endswith("s") and tok[:-1].lower() in self._by_key and \
                tok.lower() not in self._by_key else tok
            abbr = self._by_key.get(key.lower())
            if abbr is None or abbr in out:
                continue
            if abbr in self.common and key != abbr:
                continue  # "send", "care": an ordinary word unless written as the papers write it
            out[abbr] = (abbr, self.long_forms[abbr], True)
        if self._long_re is not None:
            for m in self._long_re.finditer(query.lower()):
                abbr = self._abbr_of[m.group(1)]
                out.setdefault(abbr, (abbr, self.long_forms[abbr], False))
        return list(out.values())

    def expand(self, query: str) -> list[str]:
        """The other form of each abbreviation the query names, unless it holds both: what to add to it."""
        out = []
        for abbr, long, abbr_in_query in self.named(query):
            if abbr_in_query and self._long_re is not None and any(
                    self._abbr_of.get(m.group(1)) == abbr for m in self._long_re.finditer(query.lower())):
                continue
            out.append(long if abbr_in_query else abbr)
        return out

    # -------------------------------------------------------------- persistence

    def to_json(self) -> dict:
        return {"long_forms": self.long_forms, "common": sorted(self.common)}

    @classmethod
    def from_json(cls, data: dict) -> "Glossary":
        return cls(data.get("long_forms", {}), data.get("common", ()))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True))

    @classmethod
    def load(cls, path: Path) -> "Glossary":
        return cls.from_json(json.loads(path.read_text()))



def _singular(long_form: str) -> str:
    """The long form in lower case without a plural "s", matched with an optional one."""
    low = long_form.lower()
    return low[:-1] if low.endswith("s") and not low.endswith("ss") else low


class Aliases:
    """The abbreviations a query names, as word sets: a text holding one form holds the other.

    ``extend(words)`` adds to a text's content words (``indexer.common.text.content_words``) the words of the
    other form of each abbreviation it holds, so "58 Newly Qualified Social Workers" answers a
    question about NQSWs and "the DfE" one about the Department for Education."""

    def __init__(self, named: Iterable[tuple[str, str, bool]] = ()) -> None:
        pairs = ((set(content_words(a)), set(content_words(long))) for a, long, _ in named)
        self.pairs = [(a, long) for a, long in pairs if a and long]

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def extend(self, words: set[str]) -> set[str]:
        if not self.pairs:
            return words
        out = set(words)
        for a, long in self.pairs:
            if a <= words:
                out |= long
            elif long <= words:
                out |= a
        return out
