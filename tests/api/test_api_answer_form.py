"""The web form's answer: sentences first with markers that jump to numbered citations, each with
its meeting, item, page and a link opening the document there; a refusal with related passages."""

from __future__ import annotations

from indexer.answer import ask as answer_mod
from indexer.common.settings import Settings


def test_story_answers_read_as_dated_lines_and_cite_in_order(api_client, monkeypatch):
    real_ask = answer_mod.ask

    def ask(index, question, filters=None, settings=None):
        out = real_ask(index, question, filters, settings)
        out["answered"] = True
        out["answer"] = ("28 November 2019, recommended: Retain social workers. [1] "
                         "9 January 2020, next due back 2 April 2020: Retention of Social Workers. [2]")
        return out

    monkeypatch.setattr(answer_mod, "ask", ask)
    page = api_client.get("/", params={"q": "social worker retention", "mode": "ask"}).text
    assert page.index('class="answer-lines"') < page.index('id="sources-heading"') < page.index('id="cite-1"')
    assert page.count("<li>28 November 2019, recommended:") == 1 and "<li>9 January 2020, next due back" in page
    assert '<a href="#cite-1" class="marker"' in page and '<a href="#cite-2" class="marker"' in page
    assert "Open the document at" in page


def test_a_citation_opens_the_councils_page_when_the_result_has_one(api_client, monkeypatch):
    real_ask = answer_mod.ask

    def ask(index, question, filters=None, settings=None):
        out = real_ask(index, question, filters, settings)
        out["answered"], out["answer"] = True, "Something the papers say. [1]"
        out["citations"][0]["source"]["page_url"] = "https://example.org/doc.pdf#page=5"
        return out

    monkeypatch.setattr(answer_mod, "ask", ask)
    page = api_client.get("/", params={"q": "social worker retention", "mode": "ask"}).text
    assert 'href="https://example.org/doc.pdf#page=5" class="open-at-page"' in page


def test_a_refusal_says_what_was_searched_and_offers_related_passages(api_client, monkeypatch):
    real_ask = answer_mod.ask
    monkeypatch.setattr(answer_mod, "ask", lambda index, q, f=None, s=None: real_ask(index, q, f, Settings(abstain_threshold=2.0)))
    page = api_client.get("/", params={"q": "what did the board decide about the tram extension?", "mode": "ask"}).text
    assert 'role="status"' in page and "papers searched (" in page
    assert "Related, not an answer" in page and 'id="cite-1"' in page
