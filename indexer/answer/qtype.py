"""What a question asks for, and whether a sentence holds it.

``question_type(q)`` names the kind of answer asked for:

- ``number``: "how many", "how much", "what percentage / proportion / share / rate / total / cost
  / budget / sum"; its *focus* is the thing counted ("how many **Madrasah teachers** received …");
- ``date``: "when", "what date", "since when", "by when";
- ``who``: "who", "whom", "which councillor / officer / consultants / company …";
- ``decision``: "what was agreed / resolved / decided / recommended / requested", "what did the
  board resolve …";
- ``reason``: "why", "for what reason", "what was the reason";
- ``story``: "what happened to X", "what progress", "was X done", "did it get a response" (the
  follow-up wording of :data:`FOLLOW_UP_RE`);
- ``open``: anything else.

The sentence tests (:func:`holds_answer`) are what the answer's first sentence must pass: a
number question needs a figure *for its focus* (the number stands next to the focus's head word,
or is the value of a table column naming it), a date question a date, a who question a person or
body, a reason question a causal link. Decision questions prefer the RESOLVED point itself; that
test reads the passage (:func:`in_resolution`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.common.dates import MONTHS
from indexer.common.text import TOKEN, content_words, stem, word

FOLLOW_UP_RE = re.compile(
    r"\bwhat (?:has |have )?happen(?:ed|s)?\b|\bhappened (?:to|with|after)\b|\bprogress(?:ed)? (?:on|with|of)\b"
    r"|\bwhat progress\b|\bhow did .{3,120}\bprogress\b"
    r"|\bwas\b.{3,120}\b(?:done|implemented|actioned|carried out|delivered|acted on|circulated)\b"
    r"|\b(?:come|coming|came) back\b|\bfollow(?:ed|ing)?[- ]?up\b|\bresponse (?:to|was)\b|\bget a response\b"
    r"|\b(?:what|any) response\b|\bdeveloped since\b|\bstatus of\b|\boutcome of\b", re.I)

_NUMBER_Q = re.compile(r"\bhow (?:many|much|big|large|high|low|long)\b|\bby how much\b|\bfor what sum\b"
                       r"|\bwhat (?:was |is |were |are )?(?:the )?(?:number|proportion|percentage|share|rate|figure"
                       r"|total|cost|budget|sum|amount|value|level|size|salary|price|fee|expenditure|allocation)s?\b"
                       r"|\bwhat (?:proportion|percentage|share)\b"
                       r"|\bwhat (?:(?:was|is|were|are) )?(?:the |its |their |[\w'’-]+'s )?(?:[\w'’-]+ ){0,3}(?:budget|cost|salary"
                       r"|rate|limit|total|allocation|grant|sum|value|expenditure|price|fee|overdraft|figure|caseload"
                       r"|number|amount|average|waiting time|tax)s?(?: accommodation)?\b", re.I)
_MONEY_Q = re.compile(r"\b(?:cost|costs|costing|budget|budgets|spend|spent|spending|price|fees?|funding|paid|pay|pays"
                      r"|salary|salaries|wages?|sum|money|grant|expenditure|allocat\w*|overdraft|contribut\w*"
                      r"|savings?|rent|bond|worth|value)\b|\bhow much\b", re.I)
_PERCENT_Q = re.compile(r"\b(?:percentage|proportion|share|per ?cent|rate)\b", re.I)
_DATE_Q = re.compile(r"^\s*(?:and )?when\b|\b(?:since|from|by|until) when\b|\bwhat (?:date|day|month|year)\b"
                     r"|\bon what date\b|\bwhen (?:was|were|is|did|does|do|will|would|has|had)\b", re.I)
_WHO_Q = re.compile(r"^\s*(?:and )?(?:who|whom)\b|\bto whom\b|\bwho (?:was|were|is|did|chaired|will)\b"
                    r"|\bwhich (?:councillors?|officers?|members?|consultants?|compan(?:y|ies)|bod(?:y|ies)"
                    r"|organisations?|person|people|head teacher|teacher|school|college|groups?|club)\b", re.I)
_DECISION_Q = re.compile(r"\bwhat (?:was|were|did|has|have)\b.{0,80}\b(?:agree[ds]?|resolve[ds]?|decide[ds]?"
                         r"|recommend(?:ed|s)?|request(?:ed|s)?|approve[ds]?|adopt(?:ed)?)\b"
                         r"|\bwhat (?:recommendation|decision|resolution)s?\b|\bwas (?:decided|agreed|resolved)\b",
                         re.I)
_REASON_Q = re.compile(r"^\s*(?:and )?why\b|\bfor what reason\b|\bwhat (?:was|were|is|are) the reasons?\b"
                       r"|\bwhat caused\b", re.I)
# Words of the question's form, dropped from its focus.
_FORM = {word(w) for w in ("how", "many", "much", "what", "which", "percentage", "proportion", "share", "number",
                           "total", "did", "does", "was", "were", "is", "are", "the", "of", "by")} - {None}
_FOCUS_END = re.compile(r"\b(?:by|set|did|do|does|was|were|is|are|has|have|had|will|would|could|can|in|at|on|for|from"
                        r"|to|across|per|between|during|after|before|according|as|under|received?|got)\b", re.I)


@dataclass(frozen=True)
class QType:
    kind: str  # number | date | who | decision | reason | story | open
    focus: tuple[str, ...] = ()  # stemmed words of the thing counted (number questions)
    money: bool = False  # a sum of money is asked for
    percent: bool = False  # a share is asked for
    events: tuple[str, ...] = ()  # date and who questions: the event or role asked about, with its synonyms


def question_type(question: str) -> QType:
    q = question.strip()
    if FOLLOW_UP_RE.search(q) and not _DATE_Q.search(q):
        return QType("story")
    if _REASON_Q.search(q):
        return QType("reason")
    if _DATE_Q.search(q):
        return QType("date", events=date_events(q))
    if _NUMBER_Q.search(q):
        return QType("number", number_focus(q), bool(_MONEY_Q.search(q)), bool(_PERCENT_Q.search(q)))
    if _WHO_Q.search(q):
        return QType("who", events=who_roles(q))
    if _DECISION_Q.search(q):
        return QType("decision")
    return QType("open")


_VERBS = {word(w) for w in (
    "operate", "operates", "support", "supports", "come", "comes", "fall", "fell", "vote", "voted", "attend", "attended",
    "need", "needed", "receive", "received", "serve", "served", "used", "live", "take", "took", "make",
    "recruit", "recruited", "employ", "employed", "leave", "left", "join", "joined", "apply", "hold", "held",
    "have", "had", "achieve", "achieved", "identify", "identified", "complete", "completed", "refer", "referred",
    "approve", "approved", "get", "got", "remain", "spoken", "speak", "cost", "secure", "secured", "allocate",
    "spend", "spent", "increase", "increased", "reduce", "reduced", "create", "commence", "commenced", 
    "started", "adopt", "adopted", "awarded", "pay", "paid", "raise", "raised", "repair", "repaired")} - {None}


def number_focus(question: str) -> tuple[str, ...]:
    """The stemmed words naming what is counted, its head (the noun) last: "how many Madrasah
    teachers received ..." -> ("madrasa", "teacher"); "what was the total expenditure on
    Riverfest" -> ("expendi",); verbs, dates and years are left out."""
    m = re.search(r"\bhow (?:many|much)\b(.*)|\bwhat (?:was |is |were |are )?(?:the )?"
                  r"(?:number|proportion|percentage|share|rate|total|figure|amount|sum|level|size)s?(?: of)?\b(.*)"
                  r"|\bwhat (?:was |is |were |are )?(?:the |its |their )?((?:[\w'’-]+ ){0,3}(?:cost|budget|value|salary"
                  r"|price|fee|expenditure|allocation|rate|limit|caseload|overdraft|tax|time)s?\b.*)", question, re.I)
    if not m:
        return ()
    rest = next(g for g in m.groups() if g is not None)
    cut = _FOCUS_END.search(rest)
    head = rest[:cut.start()] if cut and cut.start() > 0 else rest
    keep = [w for w in content_words(head) if w not in _FORM and not re.fullmatch(r"[\d/-]+", w)]
    if not keep:  # "how much did the Saplings Programme cost?": the subject comes after the verb
        keep = [w for w in content_words(rest) if w not in _FORM and not re.fullmatch(r"[\d/-]+", w)][:4]
    months = {m[:3] for m in MONTHS}
    nouns = [w for w in keep if w not in _VERBS and w[:3] not in months]
    return tuple(nouns or keep)


# The events a date question asks about, and the words papers use for them.
_EVENTS = {
    "open": ("open", "launch", "go live", "went live", "live"), "launch": ("launch", "open", "go live", "went live"),
    "start": ("start", "commenc", "begin", "began", "launch"), "commence": ("commenc", "start", "begin", "began"),
    "begin": ("begin", "began", "start", "commenc"), "end": ("end", "finish", "conclu", "close", "complet"),
    "finish": ("finish", "end", "complet"), "complete": ("complet", "finish", "end"), "close": ("close", "end"),
    "approve": ("approv", "agreed", "confirm"), "remove": ("remov", "lift", "end"), "establish": ("establish", "set up"),
    "transfer": ("transfer",), "publish": ("publish",), "held": ("held", "hold", "take place", "meet"),
    "hold": ("held", "hold", "take place", "meet"), "go live": ("go live", "went live", "launch", "open"),
    "move": ("move", "moved", "relocat"), "merge": ("merg",), "take effect": ("take effect", "effective"),
    "operational": ("operational", "open", "operat"), "inspect": ("inspect",), "reinspect": ("inspect",),
    "set": ("set", "fixed", "scheduled", "take place"),
}
_EVENT_RE = re.compile(r"\b(" + "|".join(sorted((re.escape(k) for k in _EVENTS), key=len, reverse=True))
                       + r")(?:s|d|ed|es|ing|ted)?\b", re.I)


def date_events(question: str) -> tuple[str, ...]:
    """The words that name the event a date question asks about, with their common synonyms."""
    found = [m[1].lower() for m in _EVENT_RE.finditer(question)]
    return tuple(dict.fromkeys(v for k in found for v in _EVENTS[k]))


_ROLES = {"chair": ("chair",), "nominat": ("nominat",), "appoint": ("appoint",), "invit": ("invit",),
          "congratul": ("congratul",), "elect": ("elect",), "propos": ("propos",), "second": ("second",),
          "head": ("head",), "lead": ("lead",), "award": ("award", "won", "win")}
_ROLE_RE = re.compile(r"\b(" + "|".join(_ROLES) + r")[a-z]*\b", re.I)


def who_roles(question: str) -> tuple[str, ...]:
    """The role or act a who question asks about ("chaired", "nominated"), as word stems."""
    return tuple(dict.fromkeys(v for m in _ROLE_RE.finditer(question) for v in _ROLES[m[1].lower()]))


# ---------------------------------------------------------------------------- sentences

_MON = "|".join(m for m in MONTHS if len(m) >= 3)
DATE_RE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th|™|\")?\s*(?:of\s+)?(?:" + _MON + r")[a-z]*\.?,?(?:\s+(?:19|20)\d{2})?"
                     r"|\b(?:" + _MON + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
                     r"|\b(?:" + _MON + r")[a-z]*,?\s+(?:19|20)\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b"
                     r"|\b(?:spring|summer|autumn|winter)(?:\s+term)?\s+(?:of\s+)?(?:19|20)\d{2}\b"
                     r"|\b(?:mid|early|late|end of)[- ](?:" + _MON + r")[a-z]*(?:\s+(?:19|20)\d{2})?", re.I)
_PERSON = re.compile(r"\b(?:Councillors?|Cllrs?\.?|Cmhlr\.?|Mr|Mrs|Ms|Miss|Dr|Professor)\.?\s+(?:[A-Z]{1,2}\.?\s+)*[A-Z][\w'’-]+"
                     r"|\b(?:Mayor|Chair(?:man|person)?|Cathaoirleach|Director|Chief Executive|Head Teacher|Principal"
                     r"|Minister|Officer|Manager|Head of Service|Name)\b"
                     r"|\b[A-Z]{1,2}\.? [A-Z][a-z]+(?:-[A-Z][a-z]+)?\b"
                     r"|\b(?:[A-Z][\w'’&-]+ )+(?:Ltd|Limited|Consulting|Consultants|Trust|College|Centre|Group|Club"
                     r"|Society|Association|Partnership|Agency|Department|Authority|Council|Board)\b")
_REASON = re.compile(r"\b(?:because|due to|owing to|as a result|result(?:ed|s)? (?:of|from|in)|caused by|since|in order to"
                     r"|so that|reasons?|led to|lead to|leading to|given that|impact of|following|therefore"
                     r"|consequen\w*|lack of|shortage of|not possible|no longer|would have to|will be required"
                     r"|required|requirement|cited)\b", re.I)
_NUM = re.compile(r"(?<![\w/])(?:[£€$]\s?)?\d+(?:[.,]\d+)*(?:\s?%|\s?(?:k|m|bn)\b|\s?(?:million|billion|thousand))?"
                  r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty"
                  r"|hundred)\b", re.I)
_NOT_A_COUNT = re.compile(r"^(?:19|20)\d{2}$")
_SUM = re.compile(r"[£€$]\s?\d|\d\s?(?:k|m|bn)\b|\b\d+(?:[.,]\d+)*\s?(?:million|billion|thousand|pounds|euro)\b", re.I)
_PCT = re.compile(r"\d\s?%|\bper ?cent\b", re.I)
_LABELLED = re.compile(r"\b(?:recommendations?|items?|minutes?|appendix|paragraphs?|sections?|pages?|points?|tables?"
                       r"|figures?|phases?|stages?|level|priority|cohort|no\.?|option|tier|section|key stage|year)"
                       r"\s*\(?\d+(?:\.\d+)*\)?", re.I)
NEAR = 4  # words between a number and the head word of the focus


# Numbers that describe rather than count: "24/7", "aged 0-19", "16 and 17 year olds", "up to 25".
_DESCRIBING = re.compile(r"\b24\s?/\s?7\b|\baged\s+\d{1,2}(?:\s*(?:-|–|to)\s*\d{1,2})?\b"
                         r"|\b\d{1,2}\s?(?:-|–|to)\s?\d{1,2}\s*(?:years?|yrs|year[- ]olds?)\b|\b\d{1,2}/\d{1,2} year"
                         r"|\b(?:up to|under|over)\s+\d{1,2}s?\b|\b\d{1,2}\s*(?:year[- ]olds?|years? old)\b"
                         r"|\b(?:children|people|pupils|persons|age)\s+\d{1,2}\s?(?:-|–)\s?\d{1,2}\b", re.I)


def numbers(sentence: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of the figures in a sentence: no dates, no labels ("minute 25", "Level 1"),
    no numbers that describe rather than count ("aged 0-19")."""
    masked = DATE_RE.sub(lambda m: " " * len(m[0]), sentence)
    masked = _LABELLED.sub(lambda m: " " * len(m[0]), masked)
    masked = _DESCRIBING.sub(lambda m: " " * len(m[0]), masked)
    return [(m.start(), m.end(), m[0]) for m in _NUM.finditer(masked) if not _NOT_A_COUNT.match(m[0].strip())]


def _kind_ok(qt: QType, figure: str) -> bool:
    if qt.percent and not qt.money:
        return bool(_PCT.search(figure)) or bool(re.fullmatch(r"\d+\.\d+", figure.strip()))
    if qt.money:
        return bool(_SUM.search(figure) or _PCT.search(figure) or re.search(r"\d{1,3}(?:,\d{3})+", figure))
    return True


def _matches(w: str | None, stems: set[str]) -> bool:
    return bool(w) and any(w == h or (len(h) >= 5 and w.startswith(h[:5])) for h in stems)


def figure_for_focus(qt: QType, sentence: str, given: frozenset[str] = frozenset()) -> bool:
    """A figure of the kind asked for, for the thing asked. A count ("how many X") needs the head
    word of X (its last word) in the sentence and the figure within NEAR words of a word of X, or
    as the value of a table column naming it ("Visitors: 356,583"), or a sentence on "the number of
    X". A sum or a share needs a word of X anywhere in the sentence."""
    figs = [f for f in numbers(sentence) if f[2].strip(" £€$%") not in given and _kind_ok(qt, f[2])]
    if not figs:
        return False
    if not qt.focus:
        return True
    tokens = [(m.start(), m.end(), word(m[0])) for m in TOKEN.finditer(sentence)]
    focus = set(qt.focus)
    if qt.money or qt.percent:
        return any(_matches(w, focus) for _, _, w in tokens)
    if not any(_matches(w, {qt.focus[-1]}) for _, _, w in tokens):
        return False
    if re.search(r"\b(?:number|total|numbers)(?: sum| amount)? of\b", sentence, re.I):
        return True
    spots = [i for i, (_, _, w) in enumerate(tokens) if _matches(w, focus)]
    for start, _, _ in figs:
        at = next((i for i, (s, _, _) in enumerate(tokens) if s >= start), len(tokens))
        if any(abs(at - i) <= NEAR for i in spots):
            return True
        cell = sentence[:start]
        cell = cell[max(cell.rfind(";"), cell.rfind("—")) + 1:]
        if cell.rstrip().endswith(":") and any(_matches(word(t), focus) for t in TOKEN.findall(cell)):
            return True  # "ICT Sessions: 311,034" — a table value under a column naming the focus
    return False


_FROM_DATE = re.compile(r"\b(?:from|starting|as of)\s+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:" + _MON + r")\b", re.I)


def holds_answer(qt: QType, sentence: str, given: frozenset[str] = frozenset()) -> bool:
    """``sentence`` holds the kind of thing the question asks for (decision and open: any sentence)."""
    if qt.kind == "number":
        return figure_for_focus(qt, sentence, given)
    if qt.kind == "date":
        low = sentence.lower()
        if not DATE_RE.search(sentence):
            return False
        return (not qt.events or any(e in low for e in qt.events)
                or ("start" in qt.events and bool(_FROM_DATE.search(sentence))))
    if qt.kind == "who":
        low = sentence.lower()
        return bool(_PERSON.search(sentence)) and (not qt.events or any(e in low for e in qt.events))
    if qt.kind == "reason":
        return bool(_REASON.search(sentence))
    return True


def holds_in_passage(qt: QType, sentence: str, passage: str, given: frozenset[str] = frozenset()) -> bool:
    """:func:`holds_answer`, and for a decision question, the sentence is a resolution (or a point of one)."""
    if qt.kind == "decision":
        return in_resolution(sentence, passage)
    return holds_answer(qt, sentence, given)


_RESOLVED = re.compile(r"\bresolved\b|\b(?:it was|were|was|be) (?:agreed|decided|approved|adopted|carried|deferred)\b"
                       r"|\bagreed (?:to|that|the)\b|\bto defer\b|\bwere supportive\b|\bdeclared that\b"
                       r"|\bwas carried\b|\brecommendation (?:no\. ?\d+ )?was agreed\b", re.I)


def in_resolution(sentence: str, passage: str) -> bool:
    """The sentence is a resolution or a point of one: it says resolved/agreed itself, or it stands
    in the points that follow a "RESOLVED" lead-in (after a blank line, only numbered or quoted
    points continue a resolution)."""
    if _RESOLVED.search(sentence):
        return True
    at = passage.find(sentence[:60])
    if at <= 0:
        return False
    before = passage[max(0, at - 1500):at]
    lead = [m.end() for m in re.finditer(r"\bresolved\b", before, re.I)]
    if not lead:
        return False
    paragraphs = re.split(r"\n\s*\n", before[lead[-1]:] + sentence[:1])
    return all(_POINT.match(p.strip()) for p in paragraphs[1:] if p.strip())


_POINT = re.compile(r"^(?:\(?\d{1,2}[.)]|\(?[a-z][.)]|\(?[ivx]{1,4}[.)]|[\"“‘']|[A-Z][a-z]+ (?:the|a|that)\b)")


def subject_stems(question: str) -> list[str]:
    """The question's own words as stems, in order (for pair checks)."""
    return [w for w in (word(t) for t in TOKEN.findall(question)) if w]


__all__ = ["FOLLOW_UP_RE", "QType", "question_type", "holds_answer", "in_resolution", "figure_for_focus",
           "numbers", "DATE_RE", "stem"]
