"""The search page on a phone, its error summary and its feed link, in headless Chromium (Debian's
/usr/bin/chromium) on the hash-embedder fixture index, with axe-core at 0 WCAG 2 A/AA violations.

docs/screenshots/*-mobile.png are written by ``python -m tests.api.screens_mobile``; the test
here shoots into a temporary folder.
"""

from __future__ import annotations

import feedparser
import pytest

from tests.api import screens, screens_mobile
from tests.api.test_pages_browser import AXE, WCAG, _page, chromium, hash_server  # noqa: F401 - fixtures

pytestmark = pytest.mark.browser

SEARCH = "/?q=social+worker+retention&mode=search"
PHONE_H = screens.SIZES["mobile"][1]


def _axe(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
        .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""", WCAG)


def test_the_first_result_is_on_the_first_screen_of_a_phone(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium, "mobile")
    page.goto(hash_server + SEARCH)
    assert page.evaluate("() => [innerWidth, innerHeight]") == list(screens.SIZES["mobile"])
    assert page.evaluate("() => window.scrollY") == 0
    card = page.locator("#results article.card").first
    box = card.bounding_box()
    heading = card.locator("h3").bounding_box()
    print(f"\n390x844: first result card top at {box['y']:.0f} px, its heading ends at "
          f"{heading['y'] + heading['height']:.0f} px (the screen is {PHONE_H} px tall)")
    assert box["y"] < PHONE_H
    assert heading["y"] + heading["height"] < PHONE_H  # the whole citation line, not just the card's edge
    assert page.evaluate("() => document.documentElement.scrollWidth") <= screens.SIZES["mobile"][0]
    # the filters are folded away, one tap opens them
    committee = page.get_by_label("Committee", exact=True)
    assert not committee.is_visible()
    page.locator("summary", has_text="Filters (optional)").click()
    assert committee.is_visible()
    ctx.close()


def test_the_desktop_form_is_not_squeezed(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium, "desktop")
    page.goto(hash_server + SEARCH)
    assert page.locator(".lede").is_visible() and page.locator("#q-hint").is_visible()
    assert page.locator("#results article.card").first.bounding_box()["y"] < screens.SIZES["desktop"][1]
    ctx.close()


@pytest.mark.parametrize("size", ["mobile", "desktop"])
@pytest.mark.parametrize("query, field, words", [
    ("q=&mode=search", "q", "the query is empty"),
    ("q=" + "x" * 2100, "q", "keep it under 2000"),
    ("q=library&date_from=2020-02-30", "date_from", "is not a date"),
])
def test_an_error_summary_at_the_top_links_to_the_field(chromium, hash_server, size, query, field, words):  # noqa: F811
    from playwright.sync_api import expect

    ctx, page = _page(chromium, size)
    page.goto(f"{hash_server}/?{query}")
    summary = page.get_by_role("alert")
    expect(summary).to_have_count(1)
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    assert summary.bounding_box()["y"] < 200  # the first thing under the header
    inline = page.locator(f"#{field}-error")
    expect(inline).to_contain_text(words)
    link = summary.get_by_role("link", name=words)
    if field.startswith("date"):
        assert page.locator("details.filters-box").evaluate("d => d.open")  # open: a filter is at fault
    link.click()
    page.wait_for_url(f"**#{field}")
    assert page.evaluate("() => document.activeElement.id") == field  # the link puts the cursor in the field
    control = page.locator(f"#{field}")
    expect(control).to_have_attribute("aria-invalid", "true")
    assert control.get_attribute("aria-describedby").split()[-1] == f"{field}-error"
    assert control.bounding_box()["y"] >= 0 and inline.is_visible()
    ctx.close()


def test_follow_this_search_gives_its_feed(chromium, hash_server):  # noqa: F811
    ctx, page = _page(chromium, "mobile")
    page.goto(hash_server + SEARCH)
    head = page.locator('head link[rel="alternate"][type="application/atom+xml"]').first.get_attribute("href")
    follow = page.get_by_role("link", name="Follow this search")
    assert follow.is_visible() and follow.bounding_box()["y"] < PHONE_H
    assert follow.get_attribute("href") == head == "/feeds/search.atom?q=social+worker+retention"
    r = page.request.get(hash_server + head)
    assert r.status == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.body())
    assert not feed.bozo and feed.version == "atom10" and feed.entries
    page.goto(feed.entries[0].link)  # an entry opens its item page, the passage marked
    assert page.locator("mark#hl").count() == 1
    ctx.close()


PAGES = {"search": SEARCH, "search, filters open": SEARCH + "&committee=audit",
         "empty query": "/?q=&mode=search", "bad date": "/?q=library&date_from=2020-02-30",
         "too long": "/?q=" + "x" * 2100, "no match": "/?q=zzqxv+wibblefrotz"}


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_axe_finds_no_wcag_violations_on_search_and_error_pages(chromium, hash_server, size):  # noqa: F811
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing")
    ctx, page = _page(chromium, size, bypass_csp=True)
    found = {}
    for name, path in PAGES.items():
        page.goto(hash_server + path)
        for d in page.locator("details").all():  # closed or open, the filters must pass
            v = _axe(page)
            if v:
                found[f"{name} ({'open' if d.evaluate('e => e.open') else 'closed'})"] = v
            d.evaluate("e => e.open = !e.open")
        v = _axe(page)
        if v:
            found[name] = v
    ctx.close()
    assert not found, found


def test_screenshots_mobile(chromium, hash_server, tmp_path):  # noqa: F811
    written = screens_mobile.shoot(chromium, hash_server, out=tmp_path)
    assert len(written) == len(screens_mobile.PAGES) + 1 and all(p.stat().st_size > 10_000 for p in written)
