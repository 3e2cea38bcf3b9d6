"""The search page in headless Chromium (Debian's /usr/bin/chromium) on the hash-embedder fixture
index: one card per item, "Results 11–20 of N" with Previous and Next keeping the filters, the
query's words marked, the citation copied from its card, and axe at 0 WCAG 2 A/AA violations."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api.test_pages_browser import AXE, WCAG, _page, chromium, hash_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

BOARD = "Education and Children's Services Scrutiny Board (2)"


def _heading(page) -> str:
    return page.locator("#results-heading").inner_text()


def test_next_and_previous_keep_the_filters(chromium, hash_server):  # noqa: F811
    from playwright.sync_api import expect

    ctx, page = _page(chromium)
    page.goto(hash_server + "/")
    page.get_by_label("Search words or question").fill("children")
    page.get_by_label("Committee").select_option(BOARD)
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**q=children**")
    m = re.fullmatch(r"Results 1–10 of (\d+) for “children”", _heading(page))
    assert m and int(m.group(1)) > 20, _heading(page)
    total = m.group(1)
    assert page.locator("ol.cards > li").count() == 10
    items = page.locator("ol.cards h3 a").evaluate_all("as => as.map(a => a.href.split('?')[0])")
    assert len(items) == len(set(items))  # one card per item
    page.get_by_role("link", name="Next results").click()
    page.wait_for_url("**offset=10**")
    assert _heading(page) == f"Results 11–20 of {total} for “children”"
    query = parse_qs(urlsplit(page.url).query)
    assert query["committee"] == [BOARD] and query["q"] == ["children"] and query["offset"] == ["10"]
    expect(page.locator("ol.cards > li").first).to_have_attribute("id", "cite-11")
    expect(page.get_by_label("Committee")).to_have_value(BOARD)  # the form keeps the filter too
    page.get_by_role("link", name="Newest first").click()
    page.wait_for_url("**sort=date**")
    assert "offset" not in page.url  # a new order starts at its first page
    dates = page.locator("ol.cards time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
    assert dates == sorted(dates, reverse=True)
    page.get_by_role("link", name="Next results").click()
    page.wait_for_url("**offset=10**")
    page.get_by_role("link", name="Previous results").click()
    page.wait_for_url(re.compile(r".*sort=date(?!.*offset).*"))
    assert _heading(page).startswith("Results 1–10 of")
    ctx.close()


def test_query_words_are_marked_and_more_passages_link_to_the_item(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium)
    page.goto(hash_server + "/?q=social+worker+retention")
    marks = page.locator("blockquote.passage mark").all_inner_texts()
    assert marks and {m.lower().rstrip("s") for m in marks} <= {"social", "worker", "retention", "worker'"}
    assert page.locator("blockquote.passage mark").first.evaluate(
        "e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    more = page.locator("p.more-passages a").first
    label = more.inner_text()
    assert re.match(r"\d+ more passages? in this item", label)
    more.click()
    page.wait_for_url("**/view/items/**highlight=**")
    assert page.locator("mark#hl").count() == 1
    ctx.close()


def test_copy_citation_from_a_card(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium, permissions=["clipboard-read", "clipboard-write"])
    page.goto(hash_server + "/?q=social+worker+retention")
    box = page.get_by_label("Copy citation [1]")
    value = box.input_value()
    heading = page.locator("#card-1").inner_text()
    assert value.startswith(BOARD + ", ") and "/view/items/" in value and hash_server in value
    assert box.get_attribute("readonly") is not None
    box.click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Control+C")
    assert page.evaluate("() => navigator.clipboard.readText()") == value
    # the copied citation names what the card shows: its date and title
    date = page.locator("#card-1 time").inner_text()
    assert date in value and page.locator("#card-1 a").inner_text() in value and date in heading
    ctx.close()


def test_no_match_says_so(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium)
    page.goto(hash_server + "/?q=xqzvbl+blorfen&doc_type=minutes")
    assert _heading(page) == "Nothing matches “xqzvbl blorfen”"
    page.get_by_role("link", name="the same search without filters").click()
    page.wait_for_url("**/?q=xqzvbl+blorfen")
    assert "Try other or fewer words" in page.locator("#results").inner_text()
    ctx.close()


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_axe_on_the_search_pages(chromium, hash_server, size):  # noqa: F811
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing")
    ctx, page = _page(chromium, size, bypass_csp=True)
    found = {}
    for path in ("/?q=social+worker+retention&offset=10", "/?q=xqzvbl+blorfen&doc_type=minutes"):
        page.goto(hash_server + path)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        v = page.evaluate("""async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""", WCAG)
        if v:
            found[path] = v
    ctx.close()
    assert not found, found
