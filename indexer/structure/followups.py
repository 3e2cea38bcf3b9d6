"""Linking a minute's RESOLVED points to what followed them (stage: structure).

Pure functions over rows the store has loaded (no SQL, no model): the tracker's records (one per
numbered point of a RESOLVED / RECOMMENDED block, with its lead-in, context bullets and
addressee), and the links from later papers to them: outstanding-issues ``response`` rows,
work-programme ``scheduled`` rows and ``cross_reference`` minutes. The dates printed in table
cells and the municipal years of minute numbers are read here too. The tables are built and
read by :mod:`indexer.store.tracker`.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date

from indexer.common.dates import MONTH_RE, MONTHS
from indexer.common.text import Idf, content_words, norm, overlap, stem
from indexer.structure.common import clean

STATUS_ORDER = ("responded", "scheduled", "discussed", "outstanding", "no trace found")

# Thresholds on the weighted word overlap (0..1) of indexer.common.text.overlap; chosen by reading every
# candidate pair in the five Coventry packs (the lowest true link scores ~0.3, the highest false ~0.2).
RESPONSE_MIN = 0.25
SCHEDULED_MIN = 0.6


# ---------------------------------------------------------------------------- dates

_ROW_DATE = re.compile(
    rf"\b(?P<day>\d{{1,2}})\s*(?:st|nd|rd|th)?\s+(?P<month>{MONTH_RE})\b\.?,?"
    r"(?:\s+(?P<year>(?:19|20)?\d{2})\b)?", re.I)


def row_date(label: str, near: date) -> date | None:
    """A table's date cell ("16th June 16", "13th July 2017 – 10am", "Wednesday 24th March")."""
    m = _ROW_DATE.search(label or "")
    if not m:
        return None
    mon = m.group("month").lower()
    month = MONTHS["sep" if mon.startswith("sept") else mon[:3]]
    day = int(m.group("day"))
    if m.group("year"):
        y = int(m.group("year"))
        years = [y + 2000 if y < 100 else y]
    else:  # no year printed: the one that puts the date nearest the pack's meeting
        years = [near.year - 1, near.year, near.year + 1]
    best = None
    for y in years:
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((d - near).days) < abs((best - near).days):
            best = d
    return best


def municipal_year(d: date) -> int:
    """The year a municipal year starts in: it runs from May to the next April."""
    return d.year if d.month >= 5 else d.year - 1


def municipal_label(start: int) -> str:
    return f"{start}/{(start + 1) % 100:02d}"


# ---------------------------------------------------------------------------- status

def status_of(kinds: list[str]) -> str:
    """The strongest evidence decides: a response, a plan, a later discussion, a tracker listing."""
    mapping = {"response": "responded", "scheduled": "scheduled", "cross_reference": "discussed",
               "discussed": "discussed", "tracked": "outstanding"}
    found = {mapping[k] for k in kinds if k in mapping}
    return next((s for s in STATUS_ORDER if s in found), "no trace found")


# ---------------------------------------------------------------------------- records

_RESOLVED_LINE = re.compile(r"^(?:\W*)(?:RESOLVED|RECOMMENDED)\b")
_RECOMMEND = re.compile(r"\brecommend(?:s|ed|ations?)?\b", re.I)
# after "recommend that the", "recommend to", "recommendations to the": a run of capitalised words
_ADDRESSEE = re.compile(
    r"\brecommend(?:s|ed)?\s+(?:that\s+|to\s+)?(?:the\s+)?(?P<a>[A-Z][^\n]*)"
    r"|\brecommendations?\s+to\s+(?:the\s+)?(?P<b>[A-Z][^\n]*)")
_NAME_WORD = re.compile(r"^(?:\(?[A-Z][\w'’&().-]*|and|of|for|the|&)$")
_ROLE_SPLIT = re.compile(r"\s+and\s+(?:the\s+)?(?=(?:Deputy\s+)?(?:Cabinet|Director|Chief|Leader|Council\b|Strategic))")


def addressee(text: str) -> str | None:
    """Who a recommendation is addressed to, as written ("Cabinet Member for Children and Young People")."""
    m = _ADDRESSEE.search(norm(text))
    if not m:
        return None
    words = []
    for raw in (m.group("a") or m.group("b")).split():
        w = raw.rstrip(",.;:")
        if not _NAME_WORD.match(w):
            break
        words.append(w)
        if w != raw:
            break  # the word ended a clause ("Skills," or "Skills.")
    while words and words[-1] in ("and", "of", "for", "the", "&"):
        words.pop()
    if not words or words[0] in ("The", "That"):
        return None
    roles = _ROLE_SPLIT.split(" ".join(words))
    return "; ".join(r.strip() for r in roles if r.strip())


def find_records(items, meetings, texts, chunks, idf: Idf) -> list[dict]:
    """The records of minute items (rows of ``items``): one per RESOLVED point, cited through
    ``chunks.find(path, span, item_id)``."""
    out: list[dict] = []
    for it in items:
        committee, when = meetings.get(it["meeting_id"], ("", None))
        resolutions = json.loads(it["resolutions"])
        if when is None or not resolutions:
            continue  # a minute that resolved nothing has no records: its lines need not be read
        text = texts.get(it["path"], "")
        body = text[it["span_start"]:it["span_end"]]
        first_resolved = next((m.start() for m in re.finditer(r"(?m)^.*\b(?:RESOLVED|RECOMMENDED)\b", body)), len(body))
        bullets = [norm(re.sub(r"^\s*[-•*]\s*", "", ln)) for ln in body[:first_resolved].split("\n")
                   if re.match(r"^\s*[-•*]\s+\S", ln)]
        seen: Counter = Counter()
        for ordinal, (point, rtext, span) in enumerate(resolutions):
            lead = _lead_in(text, span[0], it["span_start"])
            base = f"{it['id']}/point-{point}" if point else f"{it['id']}/resolved"
            seen[base] += 1
            rid = base if seen[base] == 1 else f"{base}-{seen[base]}"
            rtext = norm(rtext)
            context = _context(rtext, bullets, idf)
            who = addressee(rtext) or (addressee(lead) if point else None)
            out.append({
                "id": rid, "item_id": it["id"], "meeting_id": it["meeting_id"], "meeting_date": when.isoformat(),
                "date": when, "committee": committee, "minute": it["number"], "minute_title": it["title"],
                "point": point, "text": rtext, "lead_in": lead, "context": context, "addressee": who,
                "is_recommendation": bool(_RECOMMEND.search(rtext) or _RECOMMEND.search(lead)),
                "path": it["path"], "span": tuple(span), "chunk_id": chunks.find(it["path"], tuple(span), it["id"]),
                "restricted": it["restricted"], "ord": it["ord"] * 100 + ordinal,
            })
    return out


def _lead_in(text: str, start: int, floor: int) -> str:
    """The "RESOLVED that the Scrutiny Board" line that opens the block holding ``start``."""
    pos = start
    while pos > floor:
        ls = text.rfind("\n", floor, pos - 1) + 1
        line = clean(text[ls:pos])
        if _RESOLVED_LINE.match(line):
            return norm(line)
        pos = ls
        if ls <= floor:
            break
    return ""


def _context(point: str, bullets: list[str], idf: Idf) -> str:
    """Discussion bullets a short point abbreviates ("the task and finish group" ->
    "progress on the Retention of Social Workers Task and Finish group")."""
    pw = set(content_words(point))
    keep = []
    for b in bullets:
        bw = set(content_words(b))
        common = pw & bw
        if len(bw) <= 12 and len(common) >= 2 and sum(map(idf, common)) >= 0.5 * sum(map(idf, bw)):
            keep.append(b.rstrip(",;."))
    return "; ".join(dict.fromkeys(keep))


def link_responses(records: list[dict], rows: list[dict], idf: Idf) -> list[dict]:
    """Outstanding-issues rows: same meeting date, agenda item ~ minute title, text ~ point."""
    by_meeting: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_meeting[r["meeting_date"]].append(r)
    out = []
    for row in rows:
        if row["kind"] != "outstanding_issues" or row["date"] is None:
            continue
        cands = [r for r in by_meeting.get(row["date"].isoformat(), [])
                 if r["date"] < row["pack_date"] and _same_title(row["item"], r["minute_title"])]
        if not cands:
            continue
        scored = [(overlap(row["text"], f"{r['text']} {r['context']}", idf), r) for r in cands]
        best = max(s for s, _ in scored)
        single_minute = len({r["item_id"] for r in cands}) == 1 and len(cands) == 1
        for s, r in scored:
            if (s >= RESPONSE_MIN and s >= best - 0.05) or single_minute:
                resp = row["response"]
                out.append(_followup(r, row, "response", s, detail=row["text"], response=resp or None,
                                     text=(f"Response/ Status: \u201c{resp}\u201d" if resp else
                                           "Listed as an outstanding issue; no response recorded"),
                                     evidence=f"meeting date {row['row_date_label']} and agenda item "
                                              f"\u201c{row['item']}\u201d match minute {r['minute']}; text overlap {s:.2f}"))
    return out


def _same_title(a: str, b: str) -> bool:
    wa, wb = set(content_words(a)), set(content_words(b))
    if not wa or not wb:
        return norm(a).lower() == norm(b).lower()
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.5


# Words too common in council papers to tie a plan to a point on their own: below this idf
# (in more than ~22% of passages: children, services, social, progress...) or boilerplate.
GENERIC_IDF = 1.5
GENERIC = {stem(w) for w in "recommendation recommend update progress information provide detail report".split()}
ROLE = re.compile(r"(?:Deputy\s+)?(?:Cabinet\s+Member|Chief\s+Executive|Director|Chair|Leader)"
                   r"(?:\s+(?:for|of)(?:\s+(?:[A-Z][\w'’]*|and|the|for|of|\(People\)))+)?")


def _match_words(rec: dict) -> set[str]:
    """A point's own words for linking: without job titles ("Cabinet Member for Education and
    Skills" says who, not what), with the bullets it abbreviates, and for a whole unnumbered
    block ("RESOLVED that the report be noted ...") the minute's title, which is its subject."""
    text = ROLE.sub(" ", f"{rec['text']} {rec['context']}")
    if rec["point"] is None:
        text += " " + rec["minute_title"]
    return set(content_words(text))


def link_scheduled(records: list[dict], rows: list[dict], idf: Idf) -> list[dict]:
    """Work-programme rows in later packs that plan the follow-up of a point.

    A row links when (a) its title is mostly the point's own words: a weighted share of at least
    SCHEDULED_MIN, two words or more in common, one of them distinctive (not GENERIC), and its
    detail shares a distinctive word with the point too; or (b) its detail names the point's
    meeting ("At their meeting on 28th November ...", "Following on from the meeting in July")
    and the point (with its minute's title) is the best match among that meeting's points.
    """
    words = {r["id"]: _match_words(r) for r in records}
    by_meeting: dict[date, list[dict]] = defaultdict(list)
    for r in records:
        by_meeting[r["date"]].append(r)

    def strong(ws: set[str]) -> set[str]:
        return {w for w in ws if w not in GENERIC and idf(w) >= GENERIC_IDF}

    out = []
    for row in rows:
        if row["kind"] != "work_programme":
            continue
        title = set(content_words(row["item"]))
        detail = set(content_words(row["text"]))
        title_total = sum(map(idf, title))
        links: dict[str, tuple[dict, float, str]] = {}
        for r in records:
            if r["date"] >= row["pack_date"] or (row["date"] is not None and row["date"] <= r["date"]):
                continue  # not later than the point, or planned before it was made
            common = title & words[r["id"]]
            cover = sum(map(idf, common)) / title_total if title_total else 0.0
            if (len(common) >= 2 and strong(common) and cover >= SCHEDULED_MIN
                    and (not detail or strong(detail & words[r["id"]]))):
                links[r["id"]] = (r, cover, f"the title shares {', '.join(sorted(common))} with the point")
        for when in _meetings_named(row["text"], row["pack_date"], by_meeting.keys()):
            cands = [r for r in by_meeting[when] if not (row["date"] and row["date"] <= r["date"])]
            scored = [(overlap(title | detail, words[r["id"]] | set(content_words(r["minute_title"])), idf), r)
                      for r in cands]
            best = max((sc for sc, _ in scored), default=0.0)
            for sc, r in scored:
                if sc > 0 and sc >= best - 1e-9 and r["id"] not in links:
                    links[r["id"]] = (r, sc, f"the detail names the meeting of {r['meeting_date']}")
        for r, sc, why in links.values():
            when_label = (f"planned for {row['row_date_label']}" if row["date"] else
                          f"under \u201c{row['row_date_label']}\u201d" if row["row_date_label"] else "no date set")
            out.append(_followup(
                r, row, "scheduled", sc, planned_date=row["row_date"], planned=row["row_date_label"],
                detail=row["text"] or None,
                text=f"Work programme: \u201c{row['item']}\u201d, {when_label}"
                     + (f": {row['text']}" if row["text"] else ""),
                evidence=f"work programme in the {row['meeting_date']} pack; {why} (score {sc:.2f})"))
    return out


_NAMED_MONTH = re.compile(r"\bmeeting (?:in|of) (?P<month>jan(?:uary)?|feb(?:ruary)?|march|april|may|june|july|"
                          r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b", re.I)


def _meetings_named(text: str, pack: date, known) -> set[date]:
    """Dates of known meetings before the pack that a work-programme detail refers to:
    "at their meeting on 28 th November" (the latest such meeting within two years), or
    "the meeting in July" (the latest meeting in that month within a year)."""
    found: set[date] = set()
    for m in _ROW_DATE.finditer(text):
        day = int(m.group("day"))
        month = row_date(m.group(0), pack)
        if month is None:
            continue
        if m.group("year"):
            cands = [d for d in known if d == month]
        else:
            cands = [d for d in known if (d.month, d.day) == (month.month, day) and 0 < (pack - d).days <= 730]
        found.update(sorted(cands)[-1:])
    for m in _NAMED_MONTH.finditer(text):
        mon = m.group("month").lower()
        month = MONTHS["sep" if mon.startswith("sept") else mon[:3]]
        cands = [d for d in known if d.month == month and 0 < (pack - d).days <= 366]
        found.update(sorted(cands)[-1:])
    return found


def _followup(rec: dict, row: dict, kind: str, score: float, **kw) -> dict:
    return {"rec_id": rec["id"], "kind": kind, "meeting_id": row["meeting_id"], "meeting_date": row["meeting_date"],
            "score": score, "source_id": row["id"], "path": row["path"], "span": row["span"],
            "chunk_id": row["chunk_id"], "restricted": row["restricted"], **kw}


def link_xrefs(records: list[dict], xrefs: list[dict], texts: dict[str, str]) -> list[dict]:
    by_item: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_item[r["item_id"]].append(r)
    out = []
    for x in xrefs:
        for r in by_item.get(x["target_item_id"] or "", []):
            if x["date"] <= r["date"]:
                continue
            sentence = _sentence_at(texts.get(x["path"], ""), x["span"])
            out.append(_followup(r, {**x, "id": x["id"]}, "cross_reference", 1.0, text=sentence,
                                 evidence=f"\u201c{x['text']}\u201d resolves to minute {r['minute']} "
                                          f"of {r['meeting_date']}"))
    return out


def _sentence_at(text: str, span: tuple[int, int]) -> str:
    """The sentence around a cross-reference, verbatim up to whitespace."""
    start = max(text.rfind("\n", 0, span[0]) + 1, 0)
    m = re.search(r"[.!?](?=\s)|\n\s*\n", text[span[1]:span[1] + 600])
    end = span[1] + (m.end() if m else min(300, len(text) - span[1]))
    return norm(text[start:end])
