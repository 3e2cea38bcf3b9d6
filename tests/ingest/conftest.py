"""Helpers of the fetcher's tests (the stand-in site's fixtures are in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

from indexer.ingest.moderngov import Politeness, SiteClient, fetch_site

# no real waiting in tests: no delay between requests, backoff and Retry-After capped near 0
FAST = Politeness(delay=0.0, timeout=2.0, retries=3, backoff=0.0, max_wait=0.01)


def run(site, out: Path, politeness: Politeness = FAST, **kw):
    """One fetch of the stand-in into ``out``; returns the report."""
    opts = {k: kw.pop(k) for k in ("cookie", "header", "sleep") if k in kw}
    with SiteClient(f"http://localhost:{site.port}/", politeness, **opts) as client:
        return fetch_site(client, out, **kw)
