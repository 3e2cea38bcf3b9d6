"""The item, meeting, meetings, recommendations and home pages as a reader sees them (in process,
on the fixture index: the corpus plus a pack with a restricted report)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from api.pages import pack_note, prose_dates, section_blocks

BOARD = "education-and-childrens-services-scrutiny-board-2"
MEETING_MINUTES = f"/view/meetings/{BOARD}/2019-11-28"  # minutes only, published with the next pack
MEETING_PACK = f"/view/meetings/{BOARD}/2020-01-09"
MINUTE = f"/view/items/{BOARD}/2019-11-28/minute-25"
ITEM_WITH_TABLES = f"/view/items/{BOARD}/2020-01-09/item-4"
ISO = re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b")


class _Text(HTMLParser):
    """The words a reader sees (no attributes, no <time datetime>), and the list structure."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []
        self.li: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._in_li = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "li":
            self.li.append("")

    def handle_data(self, data):
        self.words.append(data)
        if self.li:
            self.li[-1] += data

    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.words))


def _read(client, url: str, **kw) -> _Text:
    r = client.get(url, **kw)
    assert r.status_code == 200, (url, r.status_code)
    p = _Text()
    p.feed(r.text)
    return p


def test_the_meetings_list_shows_its_counts(api_client):
    page = _read(api_client, "/view/meetings")
    text = page.text()
    assert "built-in method" not in text and "<" not in text
    counts = re.findall(r"(\d+) items?, (\d+) documents?", text)
    assert len(counts) >= 9 and any(int(n) > 0 for n, _ in counts)


@pytest.mark.parametrize("url", ["/", "/view/meetings", MEETING_MINUTES, MEETING_PACK, MINUTE, ITEM_WITH_TABLES,
                                 "/view/recommendations"])
def test_no_iso_dates_in_prose(api_client, url):
    page = _read(api_client, url)
    assert not ISO.findall(page.text()), ISO.findall(page.text())[:3]


def test_meeting_page_numbers_items_once_and_hides_empty_labels(api_client):
    page = _read(api_client, MEETING_MINUTES)
    assert ("ol", {"class": "item-list"}) not in page.tags  # the label is the number: no list numbers too
    entries = [re.sub(r"\s+", " ", x).strip() for x in page.li]
    assert "Present and apologies (pages 3–8)" in entries
    assert not [e for e in entries if e.startswith(":") or ": :" in e]
    assert "Minute 25: Children's Services Improvement (pages 3–8)" in entries
    assert "These minutes were published with the pack for 9 January 2020." in page.text()


def test_a_minute_says_which_pack_it_was_published_in(api_client):
    text = _read(api_client, MINUTE).text()
    assert "Minutes of 28 November 2019, published with the pack for 9 January 2020, pages 3–8." in text
    assert "Minutes of the meeting held on 28 November 2019" in text  # the document's title, in words


def test_tables_render_as_tables_with_their_headers(api_client):
    r = api_client.get(ITEM_WITH_TABLES)
    page = _Text()
    page.feed(r.text)
    heads = [a for t, a in page.tags if t == "th"]
    assert len([t for t, _ in page.tags if t == "table"]) >= 2 and heads
    assert all(a.get("scope") == "col" for a in heads)
    assert "<th scope=\"col\">Name</th>" in r.text  # the contact table of the libraries report
    assert "Peter Barnett\nJob Title" not in r.text  # ... no longer as tab-separated text


def test_a_highlighted_passage_in_a_table_stays_marked_as_text():
    s = {"text": "intro\nA\tB\n1\t2\nafter", "offset": 100}
    table = {"header": ["A", "B"], "rows": [{"cells": ["1", "2"], "span": [110, 113]}], "span": [106, 113]}
    blocks = section_blocks(s, [table], None)
    assert [b["kind"] for b in blocks] == ["text", "table", "text"]
    assert blocks[1]["header"] == ["A", "B"] and blocks[1]["rows"] == [["1", "2"]]
    hl = section_blocks(s, [table], {"start": 8, "end": 12})
    assert [b["kind"] for b in hl] == ["text"] * 3 and hl[1]["hl"]
    moved = section_blocks({**s, "offset": 90}, [table], None)  # the text no longer holds the table
    assert [b["kind"] for b in moved] == ["text"]


def test_prose_dates_and_pack_notes():
    assert prose_dates("Agenda: Board, 2020-01-09") == "Agenda: Board, 9 January 2020"
    assert prose_dates("no 2020-13-45 date") == "no 2020-13-45 date"
    assert pack_note("2019-11-28", "2019-11-28", "page 3") == "minutes of 28 November 2019, page 3"


def test_home_page_says_what_the_index_covers(api_client, api_member_headers):
    anon = _read(api_client, "/").text()
    member = _read(api_client, "/", headers=api_member_headers).text()
    assert "What the index holds" in anon
    assert "Education and Children's Services Scrutiny Board (2)" in anon and "Audit and Procurement Committee" in anon
    assert re.search(r"\d+ meetings from 6 April 2017 to 16 March 2023", anon), anon[:600]
    n_anon = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:documents|passages)", anon)]
    n_member = [int(x.replace(",", "")) for x in re.findall(r"([\d,]+) (?:documents|passages)", member)]
    assert len(n_anon) == 2 and all(a < m for a, m in zip(n_anon, n_member))  # restricted ones not counted
    assert "restricted papers are not counted" in anon
    assert "What the index holds" not in _read(api_client, "/?q=library").text()  # results come first


def test_recommendations_key_and_filters(api_client):
    page = _read(api_client, "/view/recommendations")
    text = page.text()
    for words in ("Responded", "Scheduled", "Overdue", "Discussed", "Outstanding", "No trace found"):
        assert words in text
    assert "committee's latest meeting in the index" in text  # what "overdue" is measured against
    total = int(re.search(r"(\d+) recommendations", text).group(1))
    by_status = {}
    for status in ("responded", "scheduled", "overdue", "discussed", "outstanding", "no trace found"):
        r = api_client.get("/view/recommendations", params={"status": status})
        assert r.status_code == 200
        shown = re.findall(r'class="status status-[a-z]+"><span class="visually-hidden">Status: </span>([^<]+)<', r.text)
        by_status[status] = len(shown)
        assert len(set(shown)) <= 1
        assert f'<option value="{status}" selected>' in r.text  # the filter stays in the form and the URL
    assert sum(by_status.values()) == total
    r = api_client.get("/view/recommendations", params={"committee": "Audit and Procurement Committee"})
    assert r.status_code == 200 and "No recommendations of Audit and Procurement Committee" in r.text


@pytest.mark.parametrize("params, field", [({"status": "done"}, "status"), ({"committee": "Cabinet"}, "committee")])
def test_a_bad_filter_is_named_in_the_page(api_client, params, field):
    r = api_client.get("/view/recommendations", params=params)
    assert r.status_code == 422 and f'href="#{field}"' in r.text and 'aria-invalid="true"' in r.text


def test_timeline_labels_are_words(api_client):
    r = api_client.get("/view/recommendations")
    hrefs = re.findall(r'href="(/view/recommendations/[^"#?]+)"', r.text)
    kinds = set()
    for href in dict.fromkeys(hrefs):
        kinds |= set(re.findall(r'<span class="kind">([^<]+)</span>', api_client.get(href).text))
    assert kinds and not {k for k in kinds if "_" in k or k.islower()}, kinds


def test_a_recommendation_page_gives_its_citation_to_copy_with_a_whole_link(api_client):
    r = api_client.get("/view/recommendations")
    href = re.findall(r'href="(/view/recommendations/[^"#?]+)"', r.text)[0]
    page = api_client.get(href).text
    copy = re.search(r'<textarea id="copy-cite"[^>]*>([^<]+)</textarea>', page)
    assert copy, "no citation to copy"
    text = html.unescape(copy.group(1))
    assert " · " not in text and "http://testserver/view/items/" in text and ", minute " in text.lower(), text
