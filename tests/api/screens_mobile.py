"""Screenshots of the pages on a phone (390×844), and of a search with its feed link on a desktop:

    python -m tests.api.screens_mobile http://127.0.0.1:8000    # docs/screenshots/*-mobile.png

tests/api/test_mobile_browser.py calls ``shoot`` on the test index into a temporary folder.
Debian's /usr/bin/chromium is used; no browser is downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.api.screens import ARGS, CHROMIUM, OUT, SIZES

SEARCH = "/?q=social+worker+retention&mode=search"
PAGES = {
    "search": SEARCH,
    "search-error": "/?q=&mode=search",
    "item": "/view/items/education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25",
    "meeting": "/view/meetings/education-and-childrens-services-scrutiny-board-2/2019-11-28",
    "recommendations": "/view/recommendations",
}


def shoot(browser, base: str, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    w, h = SIZES["mobile"]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-GB")
    page = ctx.new_page()
    for name, path in PAGES.items():
        page.goto(base + path)
        target = out / f"{name}-mobile.png"
        page.screenshot(path=str(target))
        written.append(target)
    ctx.close()
    # the feed link of a search, on a desktop: "Follow this search" under the form
    w, h = SIZES["desktop"]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-GB")
    page = ctx.new_page()
    page.goto(base + SEARCH)
    target = out / "search-feed-link-desktop.png"
    page.screenshot(path=str(target))
    written.append(target)
    ctx.close()
    return written


def main(base: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for p in shoot(browser, base.rstrip("/")):
            print(p)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1])
