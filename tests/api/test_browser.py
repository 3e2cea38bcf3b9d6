"""The real page in headless Chromium (Debian's /usr/bin/chromium; no browser is downloaded).

The service runs in uvicorn on a free port, on the corpus indexed with the real MiniLM model
(cached under .cache/, see conftest.real_index_dir). Screenshots go to test-artifacts/; the
README's docs/search.png and docs/item.png are written when missing, or refreshed with
COUNCIL_UPDATE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.real_model]

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
DOCS = REPO / "docs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--lang=en-GB"]  # UK date fields (dd/mm/yyyy) in the screenshots
QUESTION = "what happened to the social worker retention recommendation"
SEARCH_LABEL = "Search words or question"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(real_index_dir):
    import uvicorn

    from api.app import create_app
    from indexer.store.index import Index
    from indexer.common.settings import Settings

    index = Index.open(real_index_dir)
    index.embedder.embed_batch(["warm up"], kind="query")
    app = create_app(Settings(index_dir=real_index_dir, member_token=None), index=index)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
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
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (`make browser`)")
    from playwright.sync_api import Error, sync_playwright

    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Error as exc:
        pw.stop()
        pytest.skip(f"chromium cannot launch here: {str(exc).splitlines()[0]}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def _shot(page, name: str, docs_name: str | None = None, **kw) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), **kw)
    if docs_name and (not (DOCS / docs_name).exists() or os.environ.get("COUNCIL_UPDATE_SCREENSHOTS") == "1"):
        DOCS.mkdir(exist_ok=True)
        shutil.copy(path, DOCS / docs_name)
    return path


def _active(page) -> dict:
    return page.evaluate("""() => {
        const e = document.activeElement, s = getComputedStyle(e);
        return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.innerText || '').trim().slice(0, 60),
                outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                shadow: s.boxShadow !== 'none', inResults: !!e.closest('#results')};
    }""")


def test_search_then_follow_a_citation_to_the_highlighted_passage(page, live_server):
    from playwright.sync_api import expect

    page.goto(live_server + "/")
    expect(page).to_have_title("Council papers search")
    box = page.get_by_label(SEARCH_LABEL)
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_url("**/?q=*")
    assert "mode=search" in page.url  # a shareable link
    cards = page.locator("article.card")
    expect(cards.first).to_be_visible()
    card = cards.filter(has_text="28 November 2019").first
    expect(card).to_be_visible()
    expect(card).to_contain_text("Minute")
    _shot(page, "search.png", "search.png", full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": 1500})
    _shot(page, "search-full.png", full_page=True)

    card.locator("h3 a").click()
    page.wait_for_url("**/view/items/**")
    assert "highlight=" in page.url and page.url.endswith("#hl")
    mark = page.locator("mark#hl")
    expect(mark).to_have_count(1)
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    assert len(mark.inner_text().split()) > 10
    expect(page.locator("h1")).to_contain_text("Minute")
    _shot(page, "item-viewport.png")
    # the README's picture: the page from its heading down to the end of the highlighted passage
    top, bottom = page.evaluate("""() => { const r = document.querySelector('mark#hl').getBoundingClientRect();
                                          return [r.top + window.scrollY, r.bottom + window.scrollY]; }""")
    end = bottom + 40
    start = 0 if end <= 1800 else max(0, top - 900)
    _shot(page, "item.png", "item.png", full_page=True,
          clip={"x": 0, "y": start, "width": 1280, "height": min(end - start, 1800)})


def test_ask_mode_shows_an_answer_or_an_abstention(page, live_server):
    from playwright.sync_api import expect

    page.goto(live_server + "/")
    page.get_by_label(SEARCH_LABEL).fill(QUESTION)
    page.get_by_label("Ask – answer a question from the papers").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url("**mode=ask**")
    expect(page.get_by_role("heading", name="Answer", level=2)).to_be_visible()
    expect(page.locator(".answer")).to_be_visible()
    _shot(page, "ask.png", full_page=True)


def test_keyboard_only_with_labels_focus_and_skip_link(page, live_server):
    from playwright.sync_api import expect

    page.goto(live_server + "/")
    # every control has an accessible name from its <label>
    controls = {
        SEARCH_LABEL: "q", "Search – list matching passages": "mode-search",
        "Ask – answer a question from the papers": "mode-ask", "Committee": "committee",
        "Meetings from": "date_from", "Meetings to": "date_to", "Document type": "doc_type",
    }
    for label, cid in controls.items():
        el = page.get_by_label(label, exact=True)
        expect(el).to_have_count(1)
        expect(el).to_have_attribute("id", cid)
    expect(page.get_by_role("searchbox", name=SEARCH_LABEL)).to_have_count(1)
    expect(page.get_by_role("radio")).to_have_count(2)
    expect(page.get_by_role("combobox", name="Committee")).to_have_count(1)
    expect(page.get_by_role("combobox", name="Document type")).to_have_count(1)
    expect(page.get_by_role("button", name="Submit")).to_have_count(1)
    snapshot = page.locator("form").aria_snapshot()
    for label in controls:
        assert label in snapshot, snapshot

    # Tab through the page: skip link first, then the form in reading order, each focus visible
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        a = _active(page)
        assert a["outline"] or a["shadow"], f"no visible focus on {a}"
        key = a["id"] or (a["tag"] + ":" + a["text"])
        if not order or order[-1] != key:
            order.append(key)
        if a["tag"] == "button":
            break
    assert order[0].startswith("a:Skip to main content"), order
    form_order = [k for k in order if k in controls.values() or k.startswith("button")]
    assert form_order == ["q", "mode-search", "committee", "date_from", "date_to", "doc_type", "button:Submit"], order

    # type and submit with the keyboard alone
    page.goto(live_server + "/")
    while _active(page)["id"] != "q":
        page.keyboard.press("Tab")
    page.keyboard.type("social worker retention")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the radio group: move to "Ask" and back to "Search"
    expect(page.locator("#mode-ask")).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#mode-search")).to_be_checked()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=social+worker+retention**")
    expect(page.locator("article.card").first).to_be_visible()

    # the skip link takes keyboard users straight to the results
    page.keyboard.press("Tab")
    a = _active(page)
    assert a["text"] == "Skip to results", a
    page.keyboard.press("Enter")
    assert page.url.endswith("#results")
    page.keyboard.press("Tab")
    assert _active(page)["inResults"], _active(page)


def test_pages_fit_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True,
                                  device_scale_factor=2)
    p = context.new_page()
    try:
        p.goto(live_server + "/?q=library+opening+hours&mode=search")
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        _shot(p, "search-phone.png")
        href = p.locator("article.card h3 a").first.get_attribute("href")
        p.goto(live_server + href)
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        _shot(p, "item-phone.png")
    finally:
        context.close()


def test_bad_input_is_announced_in_the_page(page, live_server):
    from playwright.sync_api import expect

    page.goto(live_server + "/?q=&mode=search")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("the query is empty")
    expect(page.get_by_label(SEARCH_LABEL)).to_have_attribute("aria-invalid", "true")


def test_api_docs_render_without_the_internet(page, live_server):
    """/docs and /redoc load Swagger UI and ReDoc from the service itself: a council network that
    cannot reach a CDN still gets working API documentation."""
    from playwright.sync_api import expect

    asked: list[tuple[str, str]] = []
    page.on("request", lambda r: asked.append((r.resource_type, r.url)))
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server + "/docs")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the operations rendered
    expect(page.locator(".swagger-ui")).to_contain_text("/search")
    page.goto(live_server + "/redoc")
    expect(page.locator("redoc h1, [role=main] h1").first).to_contain_text("Council papers search")
    # everything the pages need comes from the service; ReDoc's "powered by" logo (an image,
    # blocked by the CSP's img-src) is the one thing that would come from outside
    outside = [(t, u) for t, u in asked if not u.startswith((live_server, "data:", "blob:"))]
    assert all(t == "image" for t, _ in outside), outside
    blocked = [e for e in errors if "Content Security Policy" in e and "Loading the image" not in e]
    assert not blocked, errors  # no script or style blocked (the logo image may be)
