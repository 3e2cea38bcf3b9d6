"""Text utilities several stages share: the content-word tokenizer and light stemmer, idf
weights and word overlap, and the sentence splitter that answers quote from."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

# ---------------------------------------------------------------------------- words

_STOP = set("""
a about above after again all also an and any are as at be been before being below between both but by can
could did do does doing down during each few for from further had has have having he her here hers him his
how i if in into is it its itself just me more most my no nor not now of off on once only or other our out
over own same she should so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your
following including include includes be noted note notes request requests requested requests board scrutiny
sb2 members member meeting meetings item items report reports resolved agreed agree consider considered
consideration given give regarding via within per etc
""".split())
TOKEN = re.compile(r"[A-Za-z][A-Za-z'’&-]*|\d+(?:[./]\d+)*")


_POSSESSIVE = re.compile(r"'s?$")
_SIBILANT_ES = re.compile(r"(?:ss|x|z|ch|sh)es$")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A light stemmer, enough to match "workers"/"worker", "recommendations"/"recommend"."""
    w = _POSSESSIVE.sub("", word.lower().replace("’", "'"))
    if _SIBILANT_ES.search(w):
        w = w[:-2]
    else:
        for suf, rep in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
            if w.endswith(suf) and len(w) - len(suf) >= 4 and not w.endswith("ss"):
                w = w[: len(w) - len(suf)] + rep
                break
    return w[:7]


@lru_cache(maxsize=200_000)
def word(token: str) -> str | None:
    low = token.lower().strip("'’-&")
    return None if len(low) < 2 or low in _STOP else stem(low)


def content_words(text: str) -> list[str]:
    """Stemmed words that carry meaning (no stopwords, no council boilerplate)."""
    return list(_content_words(text)) if len(text) <= 4000 else [w for w in map(word, TOKEN.findall(text)) if w]


@lru_cache(maxsize=50_000)
def _content_words(text: str) -> tuple[str, ...]:
    """content_words of a sentence or passage; kept, since answers read the same passages again."""
    return tuple(w for w in map(word, TOKEN.findall(text)) if w)


class Idf:
    """Inverse document frequency of stemmed words over a set of texts (the indexed chunks)."""

    def __init__(self, texts=(), df: dict | None = None, n: int = 0) -> None:
        self.df: Counter = Counter(df or {})
        self.n = n
        for t in texts:
            self.n += 1
            self.df.update(set(content_words(t)))

    def __call__(self, w: str) -> float:
        return math.log((self.n + 1) / (self.df.get(w, 0) + 0.5))


def overlap(a: str | list[str], b: str | list[str], idf: Idf) -> float:
    """Weighted share of the smaller word set found in the larger: sum idf(common) / sum idf(smaller)."""
    wa = set(content_words(a) if isinstance(a, str) else a)
    wb = set(content_words(b) if isinstance(b, str) else b)
    if not wa or not wb:
        return 0.0
    small, large = (wa, wb) if sum(map(idf, wa)) <= sum(map(idf, wb)) else (wb, wa)
    total = sum(idf(w) for w in small)
    return sum(idf(w) for w in small & large) / total if total else 0.0


# Words of the question form, not of its subject.
_QUESTION_STOP = {w for w in content_words(
    "how many much what which who whom whose when where why did does do was were is are has have had "
    "there their them tell me about get got give gave say said happen happened happening many much "
    "please know any anything something still ever")}


# ---------------------------------------------------------------------------- sentences

def norm(text: str) -> str:
    """Whitespace collapsed and markdown ** markers dropped: how answer sentences are quoted."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


_ABBREV = {
    "e.g", "i.e", "etc", "cllr", "mr", "mrs", "ms", "dr", "no", "nos", "st", "approx", "vs", "ltd", "co",
    "prof", "rev", "cf", "fig", "para", "paras", "ref", "inc", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sep", "sept", "oct", "nov", "dec", "a.m", "p.m", "govt", "dept", "est", "max", "min", "op", "cit", "al",
}
_BOUNDARY = re.compile(r"[.!?][\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9£•])")
_BULLET = re.compile(r"^\s*(?:[-•*▪●]\s*)?(?:\d{1,2}(?:\.\d{1,2})+\s+|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s+)?(?:[-•*]\s*)?")


# A line cannot end a sentence on these words: the next line goes on with it ("up to the age of / 19.").
_DANGLING = frozenset("a an the of to for from in on at by with and or than as into per between over under "
                      "about after before during within including against via".split())
_ROW = re.compile(r" — |\w: [\d£€$]")  # a table row as read ("Earlsdon — Visitors: 57,275; ...")
_GOES_ON = re.compile(r"(?:" + "|".join(("january february march april may june july august september october "
                                         "november december million billion per cent pm am").split()) + r")\b", re.I)
WRAP_MIN = 60  # a line this long that stops mid-sentence is a wrapped line of a paragraph (PDF text)


def _wrapped(prev: str, prev_line: str, line: str, numbered: bool) -> bool:
    """``line`` goes on with the unfinished ``prev`` across a line break: ``prev`` ends on a word no
    sentence ends on, or (not for a numbered line, which may start a list) it is a long line of
    prose (not a table row) stopped after a lower-case word or a comma, or after a number that
    ``line`` goes on with (a month, "million", "per cent"), and ``line`` is not a heading in capitals."""
    last = prev.rstrip().rsplit(" ", 1)[-1].lower()
    if last in _DANGLING:
        return True
    if numbered or len(prev_line) < WRAP_MIN or line.isupper() or _ROW.search(prev_line):
        return False
    if re.search(r"\d$", prev_line):  # "from 7 to 18 / October 2024", "£28.7 / million"
        return bool(_GOES_ON.match(line))
    return bool(re.search(r"[a-z,]$", prev_line)) and bool(re.match(r"[A-Z£$€\d(\"“‘']", line))


def _units(text: str) -> list[str]:
    """Lines of a passage as reading units: a bullet, a table row, or a paragraph (a paragraph
    broken by a page break continues when the next line starts in lower case; a line wrapped in
    a PDF continues too, see :func:`_wrapped`)."""
    units: list[str] = []
    prev_blank = False
    prev_line = ""
    for line in text.split("\n"):
        if not line.strip():
            prev_blank = True
            continue
        stripped = line.strip()
        is_new = "\t" in line or re.match(r"^(?:[-•*▪●]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s", stripped)
        open_end = bool(units) and "\t" not in units[-1] and not units[-1].rstrip("*").rstrip().endswith(
            (".", "!", "?", ":", ";"))
        cont = open_end and not is_new and stripped[:1].islower()
        if open_end and "\t" not in line and not cont:
            cont = _wrapped(units[-1], prev_line, stripped, is_new)
        if cont and (prev_blank or not units[-1].endswith(":")):
            units[-1] += " " + stripped
        else:
            units.append(stripped)
        prev_blank = False
        prev_line = stripped
    return units


def sentences(text: str) -> list[str]:
    """The sentences of a passage, normalised with :func:`norm`; each is a substring of
    ``norm(text)``. Splits after . ! ? before a capital or digit, but not after "e.g.",
    "Cllr.", initials ("M. Mutton") or inside numbers ("1.1", "£1.5m"); list bullets and
    numbering ("- 8.2 ", "2) ") are dropped from the front of a unit."""
    return list(_sentences(text))


@lru_cache(maxsize=20_000)
def _sentences(text: str) -> tuple[str, ...]:
    """:func:`sentences`, kept per text: answers read the same passages again."""
    out: list[str] = []
    for unit in _units(text):
        u = norm(unit)
        if "\t" not in unit:
            u = _BULLET.sub("", u, count=1)
        start = 0
        for m in _BOUNDARY.finditer(u):
            before = u[start:m.start()].rsplit(" ", 1)[-1].lower().strip("(\"“")
            if before in _ABBREV or re.fullmatch(r"[a-z]", before) or re.fullmatch(r"(?:[a-z]\.)+[a-z]", before):
                continue
            piece = u[start:m.end()].strip()
            if piece:
                out.append(piece)
            start = m.end()
        tail = u[start:].strip()
        if tail:
            out.append(tail)
    return tuple(s for s in out if len(s) > 1 and re.search(r"[A-Za-z0-9]", s))


# ---------------------------------------------------------------------------- questions

def question_words(question: str) -> list[str]:
    return [w for w in dict.fromkeys(content_words(question)) if w not in _QUESTION_STOP]
