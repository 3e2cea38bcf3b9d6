"""When ``/ask`` should say the papers do not answer: checks on the question and on the answer found.

Retrieval always returns something, so an extractive answer needs evidence that what was found
answers *this* question. No QA or cross-encoder model ships offline, so the evidence is the
embedder's cosine plus checks a reader would make:

- **similarity**: the best retrieved passage's cosine to the question reaches the threshold
  (``settings.abstain_threshold``), and so does the best sentence the answer would quote: a near
  passage whose nearest sentence is far from the question (the council's flag policy answered
  with the Council House's address) holds no answer;
- **coverage**: one of the question's nearest passages holds enough of its words, idf-weighted;
- **time**: a question about one year or year range ("in 2019", "2020/21") is answered from a
  passage written for that time (:func:`time_supported`), and it is checked against the
  passages the answer quotes, not just any near passage;
- **no such meeting**: a question about what happened at a meeting it names by date ("at its 3
  December 2020 meeting") needs that meeting among the papers searched (:func:`meeting_asked`);
  otherwise the nearest text is a work-programme line planning it, which does not say what happened;
- **after the papers**: a question about a period that begins after the last meeting searched
  cannot be answered by what happened then, only by what was planned for it (:func:`after_scope`);
- **answer type**: "how many / how much / what proportion" needs a figure in the answer, and a
  question about money (salary, budget, cost, spend) needs a sum of money (:func:`answer_type_ok`).
  Numbers the question states itself, and numbers that describe rather than count ("24/7",
  "aged 16-17", "up to 25 year old"), are not figures; and figures stated only for other months or
  terms than the one asked about do not answer it (:func:`other_period`).

The thresholds are chosen on eval/gold.jsonl; the measured rates are in eval/results.md.
"""

from __future__ import annotations

import re
from datetime import date

from indexer.common.dates import MONTHS, find_date
from indexer.common.pos import lemmas, names_a_thing
from indexer.common.text import TOKEN, Idf, content_words, stem, word

COVERAGE_MIN = 0.22  # idf-weighted share of the question's words in one of its 5 nearest passages
TIME_SUBJECT_MIN = 0.3  # see time_supported

_YEAR = re.compile(r"\b((?:19|20)\d{2})(?:\s*[/-]\s*((?:19|20)?\d{2}))?\b")


def years(text: str) -> set:
    """Years written in ``text``: 2019 -> 2019; 2019/20, 2019-20, 2019-2020 -> (2019, 2020), 2019, 2020."""
    out: set = set()
    for m in _YEAR.finditer(text):
        a = int(m.group(1))
        b = m.group(2)
        if b is not None:
            b = int(b) if len(b) == 4 else a // 100 * 100 + int(b)
            if b == a + 1:
                out.update({(a, b), a, b})
                continue
        out.add(a)
    return out


def asked_period(question: str):
    """The one year (int) or year range ((a, a+1)) a question is about, or None (none, or several:
    a comparison)."""
    ys = years(question)
    ranges = [y for y in ys if isinstance(y, tuple)]
    singles = [y for y in ys if isinstance(y, int) and not any(y in r for r in ranges)]
    asked = ranges + singles
    return asked[0] if len(asked) == 1 else None


def weighted_share(words: list[str], have: set[str], idf: Idf) -> float:
    total = sum(idf(w) for w in words)
    return sum(idf(w) for w in words if w in have) / total if total else 0.0


def time_supported(question: str, passages, file_text, words: list[str], idf: Idf) -> bool:
    """A question about one year or year range needs a passage on its subject (TIME_SUBJECT_MIN of
    the question's known ``words``, idf-weighted) written for that time: the year appears in the
    passage or just before it in its source (a table's caption), or, for a single year, the
    meeting is in that year (or the range's last year) or the next (a year's figures are reported the
    year after).

    ``passages`` are search results (``text``, ``path``, ``span``, ``meeting_date``);
    ``file_text(path)`` returns a source file's text. Questions naming no year, or several, pass."""
    want = asked_period(question)
    if want is None:
        return True
    for r in passages:
        if words and weighted_share(words, set(content_words(r.text)), idf) < TIME_SUBJECT_MIN:
            continue
        near = file_text(r.path)[max(0, r.span[0] - 400):r.span[1]]
        last = want if isinstance(want, int) else want[1]
        if want in years(near) or r.meeting_date.year in (last, last + 1):
            return True
    return False


# Wording that asks what was planned, which papers written before a period can answer.
_PLAN = re.compile(r"\b(?:plan(?:s|ned)?|programme|schedul\w*|due|will|expected|add(?:ed)?|come back|coming back"
                   r"|budget\w*|allocat\w*|estimate\w*"
                   r"|agree\w* to|intend\w*|propos\w*)\b", re.I)


_SET_AHEAD = re.compile(r"\b(?:tax|precept|charges?|tariffs?|allowances?|grants?|programme)\b", re.I)


def period_start(period) -> date:
    """A year starts on 1 January; a year range such as 2023/24 (a municipal or financial year) in April."""
    return date(period[0], 4, 1) if isinstance(period, tuple) else date(period, 1, 1)


def after_scope(question: str, last_meeting: date | None) -> bool:
    """True when the question is about a period that begins after ``last_meeting`` and does not
    ask what was planned for it: the papers searched were all written before it happened. A
    financial year ("2025/26") starting within a year of the last meeting is not after them when
    the question asks for its budget, tax or charges: those are set in the papers before it begins."""
    period = asked_period(question)
    if period is None or last_meeting is None or _PLAN.search(question):
        return False
    start = period_start(period)
    if (isinstance(period, tuple) and start <= date(last_meeting.year + 1, last_meeting.month, 1)
            and (_MONEY.search(question) or _SET_AHEAD.search(question))):
        return False
    return start > last_meeting


_MEETING = re.compile(r"\bmeeting\b", re.I)


def meeting_asked(question: str) -> date | None:
    """The date of the meeting a question asks about, when it names one ("at its 3 December 2020
    meeting", "the meeting on 6 April 2017"), and does not ask what was planned for it; else None."""
    if not _MEETING.search(question) or _PLAN.search(question):
        return None
    found = find_date(question)
    if found is None:
        return None
    when, start, end = found
    return when if _MEETING.search(question[max(0, start - 30):end + 15]) else None


_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_YEAR = re.compile(r"\b(" + _MONTH_NAMES + r")\.?\s+((?:19|20)\d{2})\b", re.I)
_DAY_MONTH = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:" + _MONTH_NAMES + r")\b", re.I)


def month_asked(question: str) -> tuple[date, date] | None:
    """The first and last day of the month a question asks about by month and year alone ("what
    did the board decide in March 2023"), when it names no day and does not ask what was planned."""
    m = _MONTH_YEAR.search(question)
    if m is None or _PLAN.search(question) or _DAY_MONTH.search(question):
        return None
    month, year = MONTHS[m[1].lower()], int(m[2])
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date(year, month, 1), date.fromordinal(following.toordinal() - 1)


# ---------------------------------------------------------------------------- answer type

_QUANTITY = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:number|proportion|percentage|share|rate|figure|total)\b"
                       r"|\bhow (?:big|large|high|low)\b", re.I)
_MONEY = re.compile(r"\b(?:salary|salaries|wages?|budgets?|costs?|costing|spend|spent|spending|price|fees?|funding"
                    r"|paid|pays?|contribut\w*|savings?|overspend|underspend)\b", re.I)
_FIGURE = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
                     r"|fifty|hundred|thousand|million|half|quarter|third|dozen|none|majority|minority)\b", re.I)
_SUM = re.compile(r"£\s?\d|\d\s?(?:k|m|bn|million|billion|thousand)\b|\bpounds\b|\b\d{1,3}(?:,\d{3})+\b", re.I)
_MONTHS3 = tuple(m for m in MONTHS if len(m) == 3)  # "jan" .. "dec", in month order
_MON3 = "|".join(_MONTHS3)  # any word starting so ("jan", "janvier"): looser than dates.MONTH_RE
_DATE_LIKE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + _MON3 + r")[a-z]*"
                        r"(?:\s+\d{2,4})?|\b(?:19|20)\d{2}(?:\s*[/-]\s*\d{2,4})?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", re.I)


def expected_type(question: str) -> str | None:
    """"money" for questions about sums (salary, budget, cost, spend), "figure" for other
    quantities (how many, what proportion), None otherwise."""
    if not _QUANTITY.search(question) and not re.search(r"\bwhat\b[^?]{0,30}\b(?:salary|budget|cost|price|fee)s?\b",
                                                        question, re.I):
        return None
    return "money" if _MONEY.search(question) else "figure"


# Numbers that label rather than count: "Recommendation 1", "minute 25", "Appendix 2", "Key Stage 4".
_LABEL = re.compile(r"\b(?:recommendations?|items?|minutes?|appendix|appendices|paragraphs?|para|sections?|pages?"
                    r"|points?|tables?|figures?|charts?|phases?|stages?|levels?|years?|priority|priorities|objectives?"
                    r"|actions?|no\.?|number|option|ofsted|sb|tier|cohorts?)\s*\(?\d+(?:\.\d+)*\)?", re.I)
_PERCENT = re.compile(r"\d\s?%|\bper ?cent\b", re.I)


# Numbers that describe rather than count: "24/7", "0-19 years", "aged 16-17", "5 -11 years".
_DESCRIBING = re.compile(r"\b24\s?/\s?7\b|\baged\s+\d{1,2}(?:\s*(?:-|–|to)\s*\d{1,2})?\b"
                         r"|\b\d{1,2}\s?(?:-|–|to)\s?\d{1,2}\s*(?:years?|yrs|year[- ]olds?)\b"
                         r"|\b(?:up to|under|over)\s+\d{1,2}s?\b|\b\d{1,2}\s*(?:year[- ]olds?|years? old)\b"
                         r"|\b(?:children|people|pupils|persons)\s+\d{1,2}\s?(?:-|–)\s?\d{1,2}\b", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def given_numbers(question: str) -> frozenset[str]:
    """The numbers a question states itself ("16 and 17 year olds", "cohort 8"): quoting them back
    answers nothing."""
    return frozenset(_NUMBER.findall(question))


def has_answer_type(kind: str | None, sentence: str, given: frozenset[str] = frozenset()) -> bool:
    """``sentence`` holds a sum of money or a share (kind "money"), or a figure that is not a date,
    a label, a description ("24/7", "aged 16-17") or one of the ``given`` numbers the question
    states (kind "figure"); any sentence does for kind None."""
    if kind is None:
        return True
    drop = (lambda s: _NUMBER.sub(lambda m: " " if m[0] in given else m[0], s)) if given else (lambda s: s)
    if kind == "money":
        sentence = drop(sentence)
        return bool(_SUM.search(sentence) or _PERCENT.search(sentence))  # "how much does X contribute": 78%
    return bool(_FIGURE.search(drop(_DESCRIBING.sub(" ", _LABEL.sub(" ", _DATE_LIKE.sub(" ", sentence))))))


_PERIOD = re.compile(r"\b(?:(" + _MON3 + r")[a-z]*\.?,?"
                     r"|(spring|summer|autumn)(?:\s+term)?(?:\s+of)?)\s+((?:19|20)\d\d)\b", re.I)


def periods(text: str) -> set[tuple[str, str]]:
    """The months and school terms ``text`` names with their year: {("sep", "2020"), ("spring", "2023")}."""
    return {((m[1] or m[2]).lower(), m[3]) for m in _PERIOD.finditer(text)}


def other_period(question: str, quoted: list[tuple[str, date]]) -> str | None:
    """A figure question about one month or term ("in February 2020", "in the spring term of 2023")
    answered only with figures for others: every quoted sentence holding a figure names a month or
    term, none of them the one asked about, and none comes from a meeting in that month (a figure
    "by November 2019" is often stated at that month's meeting without the date). ``quoted`` pairs
    each sentence with its passage's meeting date. Returns the period asked about, or None."""
    kind = expected_type(question)
    asked = periods(question)
    if kind is None or not asked:
        return None
    given = given_numbers(question)
    figures = [(s, when) for s, when in quoted if has_answer_type(kind, s, given)]
    if not figures:
        return None
    for sentence, when in figures:
        said = periods(sentence)
        if not said or said & asked or (_MONTHS3[when.month - 1], str(when.year)) in asked:
            return None
    return " ".join(sorted(asked)[0])


def answer_type_ok(question: str, sentences: list[str]) -> bool:
    """The answer holds what the question asks for (see :func:`has_answer_type`)."""
    kind = expected_type(question)
    given = given_numbers(question)
    return kind is None or not sentences or any(has_answer_type(kind, s, given) for s in sentences)


def before_scope(question: str, first_meeting: date | None) -> bool:
    """True when the question is about a year that ended well before the first meeting searched
    (papers report the last few years' figures, so BEFORE_YEARS years are allowed)."""
    period = asked_period(question)
    if period is None or first_meeting is None:
        return False
    last = period[1] if isinstance(period, tuple) else period
    return last < first_meeting.year - BEFORE_YEARS


BEFORE_YEARS = 3

# ---------------------------------------------------------------------------- subject words

KEY_IDF = 2.0  # a question word this rare carries its subject (chosen on the tuning part of eval/answers.jsonl)
MISSING_MAX = 0.67  # idf-weighted share of the subject's words the quoted passage may lack
# Words of the question's form or of any council paper, which say nothing about its subject.
_FORM_WORDS = {stem(w) for w in (
    "decide decided decision agree agreed resolve resolution recommend recommendation request requested happen "
    "happened say said cost costs total number amount figure percentage proportion share rate new last latest "
    "current year years month time day date set held hold take took make made give given result outcome "
    "according reported report papers paper council committee district municipal board scrutiny many much "
    "win won come comes came aim aimed fall fell rise rose approve approved resign resigned chair chaired "
    "appoint appointed nominate nominated invite invited attend attended spend spent allocate allocated "
    "launch launched open opened close closed start started end ended get got go went serve served subject "
    "remove removed reduce reduced increase increased change changed receive received refer referred complete "
    "completed identify identified support supported provide provided need needed operate operated "
    "ask asked").split()}
# Fixed phrases in which a word does not mean itself ("in the light of" is not about lighting).
_IDIOMS = re.compile(r"\b(?:in (?:the )?light of|shed(?:s|ding)? light|c(?:o|a)me to light|brought to light|light touch"
                     r"|at the end of the day|in (?:the )?face of|on the back of|in the wake of|bear in mind"
                     r"|keep(?:ing)? an eye on|on board|in the pipeline|on the table|in the frame|at this point in time"
                     r"|(?:a|the) number of|in (?:the )?case of|in terms of|on the ground)\b", re.I)


def _words_in_meaning(text: str) -> set[str]:
    return set(content_words(_IDIOMS.sub(" ", text)))


def _forms(token: str, w: str) -> set[str]:
    """The stems a question word may take in a passage: its own and its lemmas' ("spoke" -> speak,
    "women" -> woman), and each without a final "e" ("judge" meets "judged")."""
    out = {w, _root(w)}
    for lemma in lemmas(token):
        s = word(lemma)
        if s:
            out |= {s, _root(s)}
    return out


def subject_missing(question: str, sentence: str, passage: str, idf: Idf, aliases=None) -> str | None:
    """The words of the question's subject that the quoted passage lacks, when too many of them
    are missing (more than MISSING_MAX of them, idf-weighted) or one is a word the papers never
    use, else None. Subject words are the question's rarer words (idf >= KEY_IDF) that can name
    a thing (:func:`indexer.common.pos.names_a_thing`), not dates, nor words of the question's form; a word counts
    only where it means itself, not inside a fixed phrase ("in the light of"), and in any of its
    inflections ("spoke" meets "speak")."""
    question = re.sub(r"\b(?:according to|as reported (?:in|at|to|by))\b[^?,;]*", " ", question, flags=re.I)
    parts: dict[str, list[str]] = {}  # a hyphenated word ("PLACE-EE") is present when its parts are
    forms: dict[str, set[str]] = {}
    for t in TOKEN.findall(question):
        w = word(t)
        if (w is None or w in _FORM_WORDS or re.fullmatch(r"[\d/.-]+", w) or w[:3] in _MONTH_STEMS
                or w in forms or not names_a_thing(t)):
            continue
        forms[w] = _forms(t, w)
        if "-" in t:
            parts[w] = [p for p in (word(x) for x in t.split("-")) if p]
    key = [w for w in forms if idf(w) >= KEY_IDF]
    if not key:
        return None
    have = _words_in_meaning(passage) | _words_in_meaning(sentence)
    if aliases is not None:
        have = aliases.extend(have)
    have |= {_root(w) for w in have}
    absent = [w for w in key if not (forms[w] & have) and not (parts.get(w) and all(p in have for p in parts[w]))]
    if not absent:
        return None
    never = [w for w in absent if not idf.df.get(w)]
    if never or sum(idf(w) for w in absent) / sum(idf(w) for w in key) > MISSING_MAX:
        return _surface(question, absent)
    return None


_MONTH_STEMS = {m[:3] for m in MONTHS}


def _root(w: str) -> str:
    """A stem without its final "e", so "judge" meets "judged" (stemmed "judg")."""
    return w[:-1] if len(w) > 4 and w.endswith("e") else w


def _surface(question: str, stems: list[str]) -> str:
    """The question's own words for ``stems``: "street lighting", "RAAC"."""
    got = [t for t in TOKEN.findall(question) if word(t) in set(stems)]
    return " ".join(dict.fromkeys(got)) or " ".join(stems)
