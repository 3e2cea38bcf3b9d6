"""No restricted sentence reaches a feed, for anyone: a property over generated packs with private
business at random places (tests/api/leakpacks.py, as tests/api/test_leak_property.py uses them).

Feeds are public-only whoever asks, so the feeds are read anonymously and with the member's
token; a member's search must still find the private sentences (the feed had them to leave out).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import feedparser
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from api.app import create_app
from indexer.common.settings import Settings
from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index, update_index
from indexer.structure.privacy import restricted_documents

from tests.api.leakpacks import COMMITTEE, packs

TOKEN = "member-token-for-the-feed-leak-test-0123456789"
MEMBER = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 12


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(pack=packs())
def test_no_restricted_sentence_reaches_a_feed(pack):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "pack.txt").write_text(pack.text, encoding="utf-8")
        if pack.sidecar:
            (root / "pack.txt.restricted").write_text("")
        report = update_index(root / "idx", [(root / "pack.txt", root)], HashEmbedder(), restricted=restricted_documents)
        assert not report.errors, report.errors
        index = Index.open(root / "idx", embedder=HashEmbedder())
        s = Settings(index_dir=root / "idx", member_token=TOKEN, abstain_threshold=0, corpus_root=root, ask_rate_limit="")
        payload = re.compile(r"\b(?:" + "|".join(map(re.escape, pack.payloads)) + r")\b", re.I)
        try:
            with TestClient(create_app(s, index=index), raise_server_exceptions=False) as c:
                found = c.get("/search", params={"q": " ".join(pack.keys[:3]), "k": 50}, headers=MEMBER).json()
                assert any(payload.search(x["text"]) for x in found["results"])  # there is something to leave out
                asks = [("/feeds/meetings.atom", {}), ("/feeds/meetings.atom", {"committee": COMMITTEE})]
                # the keys (only private sentences hold them), a payload itself, and words public papers hold too
                asks += [("/feeds/search.atom", {"q": q}) for q in [*pack.keys[:4], " ".join(pack.keys[:3]),
                                                                    pack.payloads[0], "committee agreed terms"]]
                asks += [("/feeds/search.atom", {"q": pack.keys[0], "committee": "estates"})]
                for url, params in asks:
                    for headers in ({}, MEMBER):
                        r = c.get(url, params=params, headers=headers)
                        assert r.status_code == 200, (url, params, r.text[:300])
                        feed = feedparser.parse(r.content)
                        assert not feed.bozo, (url, params, feed.get("bozo_exception"))
                        for e in feed.entries:
                            shown = f"{e.title} {e.summary} {e.link}"
                            leak = payload.search(shown)
                            assert leak is None, f"{url} {params} shows {leak.group(0)!r}"
                            assert not any(sentence in shown for sentence in pack.sentences)
        finally:
            index.close()
