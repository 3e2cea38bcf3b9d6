"""The item, meeting, meetings, recommendations and home pages in headless Chromium (Debian's
/usr/bin/chromium; no browser is downloaded), on the hash-embedder fixture index: what a reader
sees, and axe-core (vendored, tests/api/vendor/axe.min.js) at 0 WCAG 2 A/AA violations.

The "after" screenshots in docs/screenshots/ are written by tests/api/screens.py; the test here shoots into a temporary folder.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.api import screens

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BOARD = "education-and-childrens-services-scrutiny-board-2"
PAGES = {
    "home": "/",
    "meetings": "/view/meetings",
    "meeting": f"/view/meetings/{BOARD}/2019-11-28",
    "pack meeting": f"/view/meetings/{BOARD}/2020-01-09",
    "minute": f"/view/items/{BOARD}/2019-11-28/minute-25",
    "item with tables": f"/view/items/{BOARD}/2020-01-09/item-4",
    "recommendations": "/view/recommendations",
    "recommendations filtered": "/view/recommendations?status=scheduled",
    "recommendation": f"/view/recommendations/{BOARD}/2019-11-28/minute-25/point-2",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def hash_server(api_index_dir):
    import uvicorn

    from api.app import create_app
    from indexer.common.settings import Settings
    from indexer.embed.hashing import HashEmbedder
    from indexer.store.index import Index

    index = Index.open(api_index_dir, embedder=HashEmbedder())
    app = create_app(Settings(index_dir=api_index_dir, member_token=None, abstain_threshold=0), index=index)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-pages", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    index.close()


@pytest.fixture(scope="module")
def chromium():
    if not Path(screens.CHROMIUM).exists():
        pytest.skip(f"{screens.CHROMIUM} is missing: install Debian's chromium (`make browser`)")
    from playwright.sync_api import Error, sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=screens.CHROMIUM, args=screens.ARGS)
    except Error as exc:
        pw.stop()
        pytest.skip(f"chromium cannot launch here: {str(exc).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


def _page(chromium, size: str = "desktop", **kw):
    w, h = screens.SIZES[size]
    ctx = chromium.new_context(viewport={"width": w, "height": h}, locale="en-GB", **kw)
    p = ctx.new_page()
    p.set_default_timeout(15_000)
    return ctx, p


@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_axe_finds_no_wcag_violations(chromium, hash_server, size):
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing: vendor axe-core's axe.min.js there (npm install axe-core@4)")
    # the pages send CSP script-src 'none'; bypass_csp lets the test inject axe, nothing else changes
    ctx, page = _page(chromium, size, bypass_csp=True)
    found = {}
    for name, path in PAGES.items():
        page.goto(hash_server + path)
        page.evaluate(AXE.read_text(encoding="utf-8"))
        for d in page.locator("details").all():
            d.evaluate("e => e.open = true")  # check the status key's contents too
        v = page.evaluate("""async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))
            .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))""", WCAG)
        if v:
            found[name] = v
    page.evaluate("() => document.documentElement.removeAttribute('lang')")  # the check can fail
    broken = page.evaluate("async () => (await axe.run(document, {runOnly: ['html-has-lang']})).violations.length")
    ctx.close()
    assert not found, found
    assert broken == 1


def test_meetings_meeting_and_item_read_right(chromium, hash_server):
    from playwright.sync_api import expect

    ctx, page = _page(chromium)
    page.goto(hash_server + "/view/meetings")
    body = page.locator("main").inner_text()
    assert "built-in method" not in body and re.search(r"\d+ items, \d+ documents", body)
    page.get_by_role("link", name=re.compile(r"28 November 2019")).first.click()
    page.wait_for_url("**/2019-11-28")
    first = page.locator("ul.item-list li").first
    assert first.inner_text().startswith("Present and apologies")  # no "1. : Present"
    assert page.locator("ul.item-list").first.evaluate("e => getComputedStyle(e).listStyleType") == "none"
    expect(page.get_by_text("These minutes were published with the pack for 9 January 2020.")).to_be_visible()
    page.get_by_role("link", name="Minute 25: Children's Services Improvement").click()
    expect(page.get_by_text("Minutes of 28 November 2019, published with the pack for 9 January 2020, pages 3–8."))\
        .to_be_visible()
    page.goto(hash_server + PAGES["item with tables"])
    table = page.locator("table.doc-table").first
    table.scroll_into_view_if_needed()
    expect(table).to_be_visible()
    assert page.locator("table.doc-table th").first.inner_text().strip()
    ctx.close()


def test_a_table_scrolls_inside_its_box_on_a_phone(chromium, hash_server):
    ctx, page = _page(chromium, "mobile")
    page.goto(hash_server + PAGES["item with tables"])
    assert page.locator("table.doc-table").count() >= 2
    assert page.evaluate("() => document.documentElement.scrollWidth") <= screens.SIZES["mobile"][0]
    ctx.close()


def test_filter_recommendations_by_status_and_read_the_key(chromium, hash_server):
    from playwright.sync_api import expect

    ctx, page = _page(chromium)
    page.goto(hash_server + "/view/recommendations")
    page.get_by_text("What the statuses mean").click()
    expect(page.get_by_text("Listed on a later outstanding-issues table with no response recorded.")).to_be_visible()
    page.get_by_label("Status", exact=True).select_option("responded")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**status=responded*")
    badges = page.locator("ol.rec-list .status").all_inner_texts()
    assert badges and {re.sub(r"^Status:\s*", "", b).strip() for b in badges} == {"Responded"}
    expect(page.get_by_label("Status", exact=True)).to_have_value("responded")  # the filter stays set
    page.locator("ol.rec-list a").first.click()
    kinds = page.locator(".rec-timeline .kind").all_inner_texts()
    assert "Response" in kinds and not [k for k in kinds if "_" in k]
    ctx.close()


def test_screenshots_after(chromium, hash_server, tmp_path):
    """Every page renders to a screenshot (docs/screenshots/ is written by `python -m tests.api.screens`)."""
    written = screens.shoot(chromium, hash_server, "after", out=tmp_path)
    assert written and all(p.stat().st_size > 10_000 for p in written)
