"""The search page's results: cards for agenda items (the query's words marked, how many more
passages match, the citation to copy), "Results 11–20 of 57" with Previous and Next links, and
the sort links, every filter kept in each link.

Pure shaping over ``indexer.retrieve.items``; routes_html.py calls these and index.html renders them.
"""

from __future__ import annotations

from urllib.parse import urlencode

from markupsafe import Markup, escape

from indexer.answer.display import display_text
from indexer.common.results import BadQuery
from indexer.retrieve import items as items_mod
from indexer.store.index import Index


def marked(text: str, spans: list[list[int]]) -> Markup:
    """``text`` escaped, with each [start, end) span in <mark> (the query's words and stems)."""
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out += [str(escape(text[pos:a])), "<mark>", str(escape(text[a:b])), "</mark>"]
        pos = b
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def search_href(form: dict, **change) -> str:
    """The search page URL with every filter of ``form`` kept and ``change`` applied (blanks dropped)."""
    params = {**{k: form.get(k, "") for k in ("q", "mode", "committee", "date_from", "date_to", "doc_type",
                                              "sort")}, **change}
    if params.get("mode") == "search":
        params.pop("mode")
    if params.get("sort") == "relevance":
        params.pop("sort")
    if not params.get("offset"):
        params.pop("offset", None)
    return "/?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def result_dicts(index: Index, page) -> list[dict]:
    """Each item's best passage in the result contract, with the text the page shows."""
    return [{**h.best.to_dict(), "text_clean": display_text(index, h.best)} for h in page.hits]


def mark_cards(cards: list[dict], page, item_href) -> list[dict]:
    """Search cards (from ``citation_cards``) with the query's words marked in passage and title,
    and how many more passages of the item match (``citation_cards`` gives the citation to copy)."""
    for c, h in zip(cards, page.hits):
        c["text_html"] = marked(c["text"], items_mod.marks(c["text"], page.terms))
        c["title_html"] = marked(c["title"], items_mod.marks(c["title"], page.terms))
        c["more"] = h.passages - 1
        c["more_href"] = item_href(h.best.item_id, h.best.id)
    return cards


def page_offset(value: str | None) -> int:
    """?offset= from the address bar: a whole number, else BadQuery (shown in the page)."""
    value = (value or "").strip()
    if not value:
        return 0
    if not value.isdigit():
        raise BadQuery("offset", f"offset must be a whole number from 0 to {items_mod.MAX_OFFSET}, not {value!r}")
    return int(value)


def paging(form: dict, page) -> dict:
    """"Results 11–20 of 57", Previous and Next links (every filter kept), and the sort links."""
    first, last = page.offset + 1, page.offset + len(page.hits)
    return {"total": page.total, "first": first, "last": last,
            "label": (f"Results {first}–{last} of {page.total}" if page.hits else ""),
            "prev_href": search_href(form, offset=page.previous_offset) if page.previous_offset is not None else None,
            "next_href": search_href(form, offset=page.next_offset) if page.next_offset is not None else None,
            "sorts": [{"value": v, "label": lbl, "current": form["sort"] == v, "href": search_href(form, sort=v)}
                      for v, lbl in (("relevance", "Best match"), ("date", "Newest first"))]}
