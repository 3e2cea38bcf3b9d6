"""Optional generative answers through an OpenAI-compatible chat-completions endpoint.

``generative_answer(question, results, settings, idf) -> str | None``. Off unless
``settings.llm_url`` is set (llama.cpp server, Ollama, vLLM, Azure OpenAI's ``/openai/v1``):
then the question and the retrieved passages, numbered [1]..[n] with their citation lines, are
POSTed to ``{llm_url}/chat/completions`` (temperature 0, at most MAX_TOKENS tokens) with a system
prompt that allows only those passages and asks for [n] markers after every sentence.

The reply is checked before anyone sees it. It is split into sentences, and a sentence is kept
only when

- it carries at least one [n] marker, and every marker is in 1..n (a sentence with a marker out
  of range is dropped whole: it cites something the reader cannot check);
- its cited passages support it: at least SUPPORT_MIN of its content words
  (:func:`indexer.common.text.content_words`, weighted by the index's idf, as the answer module
  weighs words) occur in the cited passages together, and each cited passage holds at least one
  of them (a marker riding on an unrelated passage drops the sentence);
- every number in it occurs in the cited passages (a figure is the thing a reader most relies on
  and the thing a model most often gets wrong).

The answer is the kept sentences, each followed by its markers, as the extractive answer is. If
nothing is kept, or anything fails (no connection, timeout, a status other than 200, a body that
is not the expected JSON, an empty reply), the caller keeps the extractive answer and a warning
is logged; no exception reaches the user, and the reason (never the key) stays in the log.

The passages sent are the ones the asker may see: for a member or officer signed in, that
includes restricted (Part B) passages, so point ``llm_url`` only at an endpoint trusted with them.

SUPPORT_MIN = 0.6 was measured on the corpus (the ``all-MiniLM-L6-v2`` index, the 114 questions
of eval/gold.jsonl, their five retrieved passages each). Each sentence of a passage (three or
more content words) was scored against the other four passages it was not taken from: same
question, so the same subject, which is the hard case. Of 16,062 such pairs, 11.2% reach 0.4,
6.9% reach 0.5, 4.4% reach 0.6 and 3.0% reach 0.7; with the numbers check as well, 8.7%, 5.6%,
3.6% and 2.5% pass. These are upper bounds on false acceptance: of the pairs passing at 0.6 for
the first 60 questions, 198 of 365 came from the same agenda item (overlapping chunks, or a
statement repeated in the report and the minutes), so many are in fact supported. A sentence
scored against its own passage scores 1.0, and twelve hand paraphrases of gold answer sentences
(synonyms, reordered clauses, the kind of rewording a model does) scored 0.59-1.00, median 0.76:
0.6 keeps 11 of them and drops "87% of the council's social workers were women" (the passage
says "female"; 0.59). 0.55 would keep all twelve and pass 4.4% of hard negatives instead of
3.6%. The costs are not equal: a wrongly dropped sentence costs only a fallback to the verbatim
extractive answer, a wrongly kept one shows the reader a claim the passage does not make, so the
threshold leans towards dropping. Word overlap cannot see a negation or a swapped subject; the
numbers check covers the commonest harmful error, the rest is a known limit.
"""

from __future__ import annotations

import logging
import re

import httpx

from indexer.answer.abstain import weighted_share
from indexer.common.results import SearchResult
from indexer.common.text import Idf, content_words, norm, sentences

log = logging.getLogger(__name__)

SUPPORT_MIN = 0.6  # idf-weighted share of a sentence's content words found in its cited passages
MAX_TOKENS = 400  # the reply is a few sentences; a runaway model is cut off here
MAX_SENTENCES = 5

SYSTEM_PROMPT = (
    "You answer questions about UK council committee papers. Use ONLY the numbered passages "
    "given; never use outside knowledge. Answer in at most four short sentences. End EVERY "
    "sentence with the number(s) of the passage(s) that state it, in square brackets, like [1] "
    "or [2][3]. Copy figures, dates and names exactly as the passages give them. If the passages "
    "do not answer the question, say only: The passages do not answer this."
)

_MARKER = re.compile(r"\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]")
_MARKER_RUN = re.compile(r"(?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])+")
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_THINK = re.compile(r"<think>.*?</think>", re.S | re.I)


class GenerationFailed(Exception):
    """The endpoint could not give a usable reply (the reason is for the log only)."""


def generative_answer(question: str, results: list[SearchResult], settings, idf: Idf) -> str | None:
    """The checked generative answer, or None (off, failed, or nothing survived the checks)."""
    url = getattr(settings, "llm_url", None) if settings is not None else None
    if not url or not results:
        return None
    try:
        reply = complete(settings, messages(question, results))
    except GenerationFailed as e:
        log.warning("generative answer failed (%s); using the extractive answer", e)
        return None
    except Exception as e:  # never let the optional part break /ask
        log.warning("generative answer failed (%s); using the extractive answer", type(e).__name__)
        return None
    kept, dropped = check_reply(reply, [r.text for r in results], idf)
    if dropped:
        log.info("generative answer: dropped %d sentence(s): %s", len(dropped), "; ".join(dropped))
    if not kept:
        log.warning("generative answer: no sentence was supported by its cited passages; "
                    "using the extractive answer")
        return None
    return " ".join(f"{s} {''.join(f'[{n}]' for n in ns)}" for s, ns in kept[:MAX_SENTENCES])


def messages(question: str, results: list[SearchResult]) -> list[dict]:
    passages = "\n\n".join(f"[{n}] {r.citation}\n{norm(r.text)}" for n, r in enumerate(results, start=1))
    return [{"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": f"Passages:\n\n{passages}\n\nQuestion: {question}"}]


def _client(settings) -> httpx.Client:
    """The HTTP client (tests replace this to put a fake endpoint behind it)."""
    return httpx.Client(timeout=settings.llm_timeout)


def complete(settings, msgs: list[dict]) -> str:
    """The text of the endpoint's first choice; GenerationFailed with a loggable reason otherwise."""
    headers = {"Content-Type": "application/json"}
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key is not None else ""
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = {"model": settings.llm_model, "messages": msgs, "temperature": 0, "max_tokens": MAX_TOKENS,
            "stream": False}
    try:
        with _client(settings) as client:
            resp = client.post(f"{str(settings.llm_url).rstrip('/')}/chat/completions", json=body, headers=headers)
    except httpx.TimeoutException:
        raise GenerationFailed(f"no reply within {settings.llm_timeout:g} s") from None
    except httpx.HTTPError as e:
        raise GenerationFailed(f"request error: {type(e).__name__}") from None
    if resp.status_code != 200:
        raise GenerationFailed(f"status {resp.status_code}")
    try:
        text = resp.json()["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise GenerationFailed("the reply is not chat-completions JSON") from None
    if not isinstance(text, str) or not _THINK.sub("", text).strip():
        raise GenerationFailed("empty reply")
    return _THINK.sub("", text).strip()


def _numbers(text: str) -> set[str]:
    return {m.replace(",", "") for m in _NUMBER.findall(text)}


def check_reply(reply: str, passages: list[str], idf: Idf,
                support_min: float = SUPPORT_MIN) -> tuple[list[tuple[str, list[int]]], list[str]]:
    """(kept [(sentence without markers, [n, ...])], dropped ["sentence: why"]) for a model reply."""
    # "... workers. [1] Staffing ..." -> "... workers [1]. Staffing ...", so each marker stays
    # with the sentence it follows when the reply is split
    text = re.sub(r"([.!?])((?:\s*\[\d{1,3}(?:\s*,\s*\d{1,3})*\])+)", r"\2\1", reply)
    words_of = [set(content_words(p)) for p in passages]
    numbers_of = [_numbers(p) for p in passages]
    kept: list[tuple[str, list[int]]] = []
    dropped: list[str] = []
    for s in sentences(text):
        ns = list(dict.fromkeys(int(n) for m in _MARKER.findall(s) for n in re.findall(r"\d+", m)))
        claim = re.sub(r"\s+([.,;:!?])", r"\1", _MARKER_RUN.sub("", s)).strip()
        why = None
        if not ns:
            why = "no [n] marker"
        elif any(not 1 <= n <= len(passages) for n in ns):
            why = f"marker out of range 1..{len(passages)}"
        else:
            words = list(dict.fromkeys(content_words(claim)))
            have = set().union(*(words_of[n - 1] for n in ns))
            share = weighted_share(words, have, idf)
            missing = _numbers(claim) - set().union(*(numbers_of[n - 1] for n in ns))
            if share < support_min:
                why = f"support {share:.2f} < {support_min}"
            elif any(not set(words) & words_of[n - 1] for n in ns):
                why = "cites a passage that shares none of its words"
            elif missing:
                why = f"numbers not in the cited passages: {', '.join(sorted(missing))}"
        if why:
            dropped.append(f"{claim[:80]!r}: {why}")
        else:
            kept.append((claim, ns))
    return kept, dropped
