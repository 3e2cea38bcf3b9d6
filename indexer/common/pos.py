"""Parts of speech and inflections of English words, from lemminflect's dictionary (its data ships
in the wheel; no model, no download).

Used where a question's words are weighed: the thing a question is about is named by its nouns
("airport", "street lighting", "RAAC"), while its verbs and adverbs ("told", "pays", "roughly")
say what is asked about it, and the papers word those their own way.
"""

from __future__ import annotations

from functools import lru_cache

from lemminflect import getAllLemmas

# Nouns that stand for no subject: "was anyone from …", "the hidden ones".
PRONOUNS = frozenset({"anyone", "anybody", "anything", "nobody", "nothing", "someone", "somebody", "something",
                      "everyone", "everybody", "everything", "one", "ones", "onto", "whom", "whoever"})


@lru_cache(maxsize=20_000)
def readings(token: str) -> dict[str, tuple[str, ...]]:
    """The dictionary's readings of a word, part of speech -> lemmas: "spoke" -> {"NOUN": ("spoke",),
    "VERB": ("speak",)}; {} for a word it lacks (a name, an acronym: "RAAC", "Saplings")."""
    t = token.strip("'’")
    return dict(getAllLemmas(t) or getAllLemmas(t.lower()))


def names_a_thing(token: str) -> bool:
    """The word can name what a question is about: it reads as a noun, or the dictionary does not
    know it (a name or an acronym). Pronouns ("anyone") do not."""
    if token.strip("'’").lower() in PRONOUNS:
        return False
    r = readings(token)
    return not r or "NOUN" in r or "PROPN" in r


def lemmas(token: str) -> set[str]:
    """Every lemma of every reading: "women" -> {"woman"}, "told" -> {"tell"}."""
    return {lemma for group in readings(token).values() for lemma in group}
