"""Private business: papers councils hold back from the public (LGA 1972, Schedule 12A).

What is restricted, and why (``mark_restricted`` sets ``Document.restricted`` and
``Item.restricted`` on a parsed source):

- A section heading opens private business: "Private Business", "Part 2" / "Part II" /
  "Part B" (alone, or with words such as "private" or "exempt"), "Exclusion of the press and
  public". Every item after it is restricted until a heading returns to public business
  ("Public Business", "Part 1" / "Part A"). Headings are read anywhere in a document: at the
  end of a set of minutes, halfway through a report, on the front sheet.
- An exempt-information notice ("This report contains exempt information within paragraph 3
  of Part 1 of Schedule 12A", "not for publication", a "Private report" cover line) marks the
  item or report that carries it. The resolution that excludes the press and public (it names
  the same paragraph) is public business: it marks the items after it, not itself.
- A ``<file>.restricted`` sidecar, or ``Document.restricted`` set by the reader (an agenda entry
  under "Private Business", ModernGov's ``isrestricted``) marks the whole document, and every
  item whose documents are all restricted.
- The agenda front sheet stays public, titles only, as councils publish it: its private
  entries are restricted items, the sheet itself is not.

A report or appendix with any private section is restricted as a whole; in minutes only the
items inside private sections are. Over-marking is the safe side: a restricted passage is
still there for members.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from indexer.common.models import Document, Item, ParsedSource, Span

# Bump when the rules change what is marked: the index then re-reads every file.
PRIVACY_VERSION = 2

_LEAD = r"^[\W_]*(?:(?:item\s+)?\d{1,3}[.):]?\s+)?"  # markdown marks, bullets, "4." or "Item 4:"
_TAIL = r"[\W_]*$"
_PRIVATE_WORDS = r"(?:private|exempt|confidential|not\s+for\s+publication|press\s+and\s+(?:the\s+)?public|closed)"
EXCLUSION_HEADING = re.compile(
    _LEAD + r"exclusion\s+of\s+(?:the\s+)?(?:press\s+and\s+(?:the\s+)?public|public\s+and\s+(?:the\s+)?press)"
    + r"(?:\s*[-–—:(].{0,80})?" + _TAIL, re.I)
PRIVATE_HEADING = re.compile(
    _LEAD + r"(?:private\s+business|(?:items?\s+(?:of|for)\s+)?private\s+(?:business|items?|session)"
    r"|part\s+(?:2|ii|b)(?:\b.{0,80}?\b" + _PRIVATE_WORDS + r"\b.{0,40}?)?"
    r"|exempt\s+items?|confidential\s+items?)" + _TAIL, re.I)
PUBLIC_HEADING = re.compile(
    r"^[\W_]*(?:public\s+business|part\s+(?:1|i|a)(?:\b.{0,80}?\bpublic\b.{0,40}?)?)" + _TAIL, re.I)
PRIVATE_COVER = re.compile(r"^[\W_]*(?:private\s+report|not\s+for\s+publication|confidential\s+report)" + _TAIL,
                           re.I | re.M)

# An exempt-information notice, sentence by sentence.
NOTICE = re.compile(
    r"not\s+for\s+publication|exempt\s+information|schedule\s+12\s*a\b"
    r"|paragraphs?\s+\d{1,2}(?:\s*(?:,|and|&|or)\s*\d{1,2})*\s+of\s+part\s+(?:1|i)\s+of\s+schedule", re.I)
_EXCLUDING = re.compile(r"\bexclu\w*|\bpress\s+and\s+(?:the\s+)?public\b|\bin\s+private\b", re.I)
_NEGATED = re.compile(
    r"\b(?:does|do|did|will|would)\s+not\s+(?:contain|include|involve)\b|\bno\s+exempt\b|\bnot\s+exempt\b"
    r"|\bcontains?\s+no\b|exempt\s+information\W{0,3}\s*(?:no|none|n/?a)\b|\bnone\b", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n")


def has_notice(text: str) -> bool:
    """Whether ``text`` carries an exempt-information notice (not the resolution to exclude the
    press and public, not "this report does not contain exempt information")."""
    if PRIVATE_COVER.search(text):
        return True
    for sentence in _SENTENCE.split(text):
        if NOTICE.search(sentence) and not _EXCLUDING.search(sentence) and not _NEGATED.search(sentence):
            return True
    return False


def private_spans(text: str, span: Span) -> list[Span]:
    """The parts of ``text[span]`` under a private-business heading, each up to the next heading
    returning to public business (or the end of the span). A span starts after its heading."""
    out: list[Span] = []
    opened: int | None = None
    pos = span[0]
    for line in text[span[0]:span[1]].split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if len(line) > 200:
            continue
        if PUBLIC_HEADING.match(line):
            if opened is not None:
                out.append((opened, start))
                opened = None
        elif opened is None and (PRIVATE_HEADING.match(line) or EXCLUSION_HEADING.match(line)):
            opened = end
    if opened is not None:
        out.append((opened, span[1]))
    return [s for s in out if s[1] > s[0]]


def _overlaps(span: Span, spans: list[Span]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in spans)


def _sidecar_paths(ps: ParsedSource, root: Path | None) -> set[str]:
    base = Path(root) if root is not None else Path(".")
    return {s.path for s in ps.sources if (base / (s.path + ".restricted")).exists()}


def mark_restricted(ps: ParsedSource, root: str | Path | None = None) -> ParsedSource:
    """``ps`` with ``restricted`` set on every document and item anonymous users must not see.

    ``root`` is the folder the source paths are relative to (where sidecars are looked for).
    Marks are only ever added, never cleared."""
    sidecars = _sidecar_paths(ps, Path(root) if root is not None else None)
    texts = {s.path: s.text for s in ps.sources}
    private: dict[str, list[Span]] = {}  # path -> private sections, read per document
    docs: list[Document] = []
    for d in ps.documents:
        text = texts.get(d.path, "")
        spans = private_spans(text, d.span)
        private.setdefault(d.path, []).extend(spans)
        restricted = d.restricted or d.path in sidecars
        if d.doc_type not in ("agenda", "minutes") and not restricted:
            # a report or appendix: any private section or notice holds back the whole document
            restricted = bool(spans) or has_notice(text[d.span[0]:d.span[1]])
        docs.append(d if restricted == d.restricted else replace(d, restricted=restricted))
    hidden = {d.id for d in docs if d.restricted}
    front_sheets = {(d.path, d.span) for d in docs if d.doc_type == "agenda"}
    items: list[Item] = []
    for it in ps.items:
        restricted = it.restricted or (bool(it.document_ids) and all(x in hidden for x in it.document_ids))
        front_sheet = it.kind == "agenda" and (it.path, it.span) in front_sheets
        if not restricted and not front_sheet:
            body = texts.get(it.path, "")[it.span[0]:it.span[1]] or it.body
            restricted = (not EXCLUSION_HEADING.match(it.title)
                          and (_overlaps(it.span, private.get(it.path, [])) or has_notice(body)))
        items.append(it if restricted == it.restricted else replace(it, restricted=restricted))
    return replace(ps, documents=tuple(docs), items=tuple(items))


def restricted_documents(ps: ParsedSource, root: Path | None = None) -> set[str]:
    """Ids of the documents in ``ps`` that anonymous users must never see (see the module doc)."""
    return {d.id for d in mark_restricted(ps, root).documents if d.restricted}


def restricted_items(ps: ParsedSource, root: Path | None = None) -> set[str]:
    """Ids of the items in ``ps`` that anonymous users must never see (see the module doc)."""
    return {it.id for it in mark_restricted(ps, root).items if it.restricted}
