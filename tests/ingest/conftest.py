"""Fixtures of the fetcher's tests: the stand-in ModernGov site (tests/ingest/standin.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.ingest.moderngov import Politeness, SiteClient, fetch_site
from tests.ingest.standin import Site, serve

# no real waiting in tests: no delay between requests, backoff and Retry-After capped near 0
FAST = Politeness(delay=0.0, timeout=2.0, retries=3, backoff=0.0, max_wait=0.01)


@pytest.fixture(scope="session")
def site_pdfs(tmp_path_factory) -> Path:
    """The stand-in's PDFs, generated once."""
    root = tmp_path_factory.mktemp("standin-pdfs")
    Site(root).build()
    return root


@pytest.fixture
def site(httpserver, site_pdfs) -> Site:
    """A fresh stand-in site (its quirks can be changed per test), served on 127.0.0.1."""
    return serve(httpserver, Site(site_pdfs).build())


def run(site: Site, out: Path, politeness: Politeness = FAST, **kw):
    """One fetch of the stand-in into ``out``; returns the report."""
    opts = {k: kw.pop(k) for k in ("cookie", "header", "sleep") if k in kw}
    with SiteClient(f"http://localhost:{site.port}/", politeness, **opts) as client:
        return fetch_site(client, out, **kw)
