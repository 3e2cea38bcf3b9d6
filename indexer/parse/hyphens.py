"""Words broken across a line end with a hyphen: "recom-" + "mendation" is "recommendation",
"well-" + "being" stays "well-being".

The word moves up to the line its first half is on, so each line still ends at a word. Which
form it takes, in order:

1. the document's own vocabulary: the form (joined or hyphenated) it prints elsewhere, within
   a line, wins;
2. a capital or a digit after the break, or a prefix British usage hyphenates ("co-", "non-",
   "self-", "re-", ...): the hyphen stays;
3. an English word list (pyspellchecker's frequencies, with British spellings tried as their
   -ize/-or/-er forms): the joined word when it is a word more common than the rarer half
   ("recom" + "mendation"); a compound of two words more common than their join keeps its
   hyphen ("well-being", "turn-over", and so "every-day": in papers typed in a word processor
   a line-end hyphen between two whole words is nearly always printed);
4. otherwise the hyphen stays: in papers typed in a word processor most line-end hyphens are real.

"pre- and post-natal" (a hyphen before "and", "or", "to") is left as it is; so is a break beside a
digit ("COVID-" + "19", "2010-" + "2015" keep their hyphen). A blank line between the two halves
(a column or paragraph gap) is skipped when the second half starts in lower case.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

_BROKEN = re.compile(r"([A-Za-z0-9]+)-$")
_FIRST = re.compile(r"^([A-Za-z0-9]+)(\S*)")
_WORDS = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
PREFIXES = frozenset("co non self ex anti cross multi semi vice pre post re mid pro sub inter".split())
_SUSPENDED = frozenset({"and", "or", "to", "nor"})
_MIN_FREQ = 20  # below this a pyspellchecker entry is noise ("ordinate" 50, "mendation" 0)
_BRITISH = [("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"),
            ("ises", "izes"), ("our", "or"), ("tre", "ter"), ("lled", "led"), ("lling", "ling"),
            ("ogue", "og"), ("yse", "yze")]


@lru_cache(maxsize=1)
def _frequencies():  # noqa: ANN202 - pyspellchecker's WordFrequency
    from spellchecker import SpellChecker  # heavy-ish (0.1 s): only when a document needs it

    return SpellChecker(language="en", distance=1).word_frequency


def frequency(word: str) -> int:
    """How common ``word`` is in English (0 when the word list does not have it)."""
    w = word.lower()
    freq = _frequencies()
    best = freq[w] if w in freq else 0
    for gb, us in _BRITISH:
        if w.endswith(gb):
            alt = w[: -len(gb)] + us
            if alt in freq:
                best = max(best, freq[alt])
    return best if best >= _MIN_FREQ else 0


def vocabulary(lines: list[str]) -> Counter:
    """Lower-case words as printed inside lines (not at a line-end break)."""
    c: Counter = Counter()
    for ln in lines:
        body = ln[:-1] if ln.endswith("-") else ln
        c.update(w.lower() for w in _WORDS.findall(body))
    return c


def joined_form(first: str, second: str, vocab: Counter) -> str:
    """The word that "first-" at a line end and "second" at the next line's start make."""
    joined, hyphened = first + second, f"{first}-{second}"
    n_joined, n_hyphened = vocab.get(joined.lower(), 0), vocab.get(hyphened.lower(), 0)
    if n_joined or n_hyphened:
        return joined if n_joined > n_hyphened else hyphened
    if second[:1].isupper() or first.lower() in PREFIXES or any(ch.isdigit() for ch in joined):
        return hyphened
    f = frequency(joined)
    if f and f > min(frequency(first), frequency(second)):
        return joined
    return hyphened


def join_hyphens(lines: list[str], vocab: Counter) -> list[str]:
    """Lines with every line-end hyphenated word made whole on the first line."""
    out = list(lines)
    i = 0
    while i + 1 < len(out):
        m = _BROKEN.search(out[i])
        j = i + 1
        if m and not out[j].strip() and j + 1 < len(out) and out[j + 1][:1].islower():
            j += 1  # "prop-", a blank line (the gap to the next column), "osal of ..."
        nxt = out[j]
        n = _FIRST.match(nxt) if m else None
        if m and n and "\t" not in out[i] and "\t" not in nxt \
                and n.group(1).lower() not in _SUSPENDED:
            word = joined_form(m.group(1), n.group(1), vocab)
            rest = nxt[n.end():].lstrip()
            out[i] = out[i][: m.start()] + word + n.group(2)
            if rest:
                out[j] = rest
            else:
                del out[j]
            if j > i + 1 and not rest:
                del out[i + 1]  # the blank line went with the word's second half
            continue
        i += 1
    return out
