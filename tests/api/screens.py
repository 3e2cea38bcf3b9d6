"""Screenshots of the item, meeting and recommendations pages, desktop (1280×900) and mobile (390×844).

    python -m tests.api.screens http://127.0.0.1:8000 before   # docs/screenshots/*-before.png
    python -m tests.api.screens http://127.0.0.1:8000 after

tests/api/test_pages_browser.py calls ``shoot`` with "after" on the test index, so the "after"
set is what the tests saw. Debian's /usr/bin/chromium is used; no browser is downloaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--lang=en-GB"]
# the papers of one meeting as published: its minutes came with the next meeting's pack
MEETING = "/view/meetings/education-and-childrens-services-scrutiny-board-2/2019-11-28"
PAGES = {
    "meeting": MEETING,
    "minute": "/view/items/education-and-childrens-services-scrutiny-board-2/2019-11-28/minute-25",
    "item": "/view/items/education-and-childrens-services-scrutiny-board-2/2020-01-09/item-4",
    # the same item scrolled to its appendix, whose performance figures are a table
    "item-table": "/view/items/education-and-childrens-services-scrutiny-board-2/2020-01-09/item-4#appendix",
    "recommendations": "/view/recommendations",
    "recommendation": None,  # the first recommendation listed
    "home": "/",
}
SIZES = {"desktop": (1280, 900), "mobile": (390, 844)}


def shoot(browser, base: str, tag: str, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for size, (w, h) in SIZES.items():
        ctx = browser.new_context(viewport={"width": w, "height": h}, locale="en-GB")
        page = ctx.new_page()
        for name, path in PAGES.items():
            if path is None:
                page.goto(base + PAGES["recommendations"])
                path = page.locator("ol.rec-list a").first.get_attribute("href")
            path, appendix, _ = path.partition("#appendix")
            page.goto(base + path)
            if appendix:
                page.locator("h2", has_text="Appendix A").first.evaluate("e => e.scrollIntoView()")
            target = out / f"{name}-{size}-{tag}.png"
            page.screenshot(path=str(target))
            written.append(target)
        ctx.close()
    return written


def main(base: str, tag: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for p in shoot(browser, base.rstrip("/"), tag):
            print(p)
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:3])
