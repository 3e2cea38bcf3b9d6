"""Shared fixtures. Each helper keeps its fixtures in its own clearly named section."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"


# ====================================================================== API and browser fixtures
# (api_* and real_index_*: used by tests/api/)

API_MEMBER_TOKEN = "member-token-for-tests-0123456789"

# A small agenda pack with one public report (it quotes a <script> tag, to check escaping) and
# one exempt report under "Private Business" that anonymous users must never see.
API_RESTRICTED_PACK = """Audit and Procurement Committee

Time and Date

2.00 pm on Monday, 3rd February, 2020

Place

Committee Room 1 - Council House

Public Business

1. **Apologies**
2. **Library Opening Hours** (Pages 3 - 4)

Report of the Director of Place
3. **Exclusion of Press and Public**

Private Business

4. **Sale of the Old Bus Depot** (Pages 5 - 6)

Report of the Director of Finance

Membership: Councillors A Smith (Chair), B Jones

Page 1

Coventry City Council

Briefing note

To: Audit and Procurement Committee

Date: 3rd February 2020

Subject: Library Opening Hours

1 Purpose of the Note

1.1 The library opening hours will be extended on Saturdays from April. A resident wrote <script>alert('xss')</script> in the consultation form, and the form now rejects markup.

{padding}

Page 3

Coventry City Council

Private report

To: Audit and Procurement Committee

Date: 3rd February 2020

Subject: Sale of the Old Bus Depot

This report is not for publication because it contains exempt information within Schedule 12A, paragraph 3.

1 Recommendation

1.1 The committee agrees to sell the old bus depot to Zephyrine Holdings for four million pounds.

Page 5
"""


def _api_pack_text() -> str:
    # keep the public report longer than the 1,500 characters privacy.py reads from a document's
    # start, so the exempt notice of the next document is not read as this one's
    padding = "\n\n".join(
        f"1.{n} Opening hours at branch library number {n} stay as they are on weekdays; "
        "the Saturday change is funded from the existing budget." for n in range(2, 20))
    return API_RESTRICTED_PACK.replace("{padding}", padding)


@pytest.fixture(scope="session")
def api_restricted_pack(tmp_path_factory) -> Path:
    """Folder holding pack.txt: one public and one restricted (Part B) report."""
    root = tmp_path_factory.mktemp("restricted-pack")
    (root / "pack.txt").write_text(_api_pack_text(), encoding="utf-8")
    return root


def api_build_index(index_dir: Path, units: list[tuple[Path, Path]], embedder=None):
    from indexer.embed.hashing import HashEmbedder
    from indexer.store.index import update_index
    from indexer.structure.privacy import restricted_documents

    report = update_index(index_dir, units, embedder or HashEmbedder(), restricted=restricted_documents)
    assert not report.errors, report.errors
    return report


@pytest.fixture(scope="session")
def api_index_dir(tmp_path_factory, api_restricted_pack) -> Path:
    """The corpus plus the restricted pack, indexed with the hash embedder (a few seconds)."""
    index_dir = tmp_path_factory.mktemp("api-index")
    units = [(p, CORPUS) for p in sorted(CORPUS.glob("*.txt"))]
    units.append((api_restricted_pack / "pack.txt", api_restricted_pack))
    api_build_index(index_dir, units)
    return index_dir


@pytest.fixture(scope="session")
def api_index(api_index_dir):
    from indexer.embed.hashing import HashEmbedder
    from indexer.store.index import Index

    index = Index.open(api_index_dir, embedder=HashEmbedder())
    yield index
    index.close()


@pytest.fixture
def api_settings(api_index_dir):
    from indexer.common.settings import Settings

    # the fake embedder's similarities mean nothing, so abstention is off for API tests;
    # tests/answer/test_answer.py measures it with the real model
    return Settings(index_dir=api_index_dir, member_token=API_MEMBER_TOKEN, max_request_bytes=20_000,
                    abstain_threshold=0)


@pytest.fixture
def api_member_headers() -> dict:
    return {"Authorization": f"Bearer {API_MEMBER_TOKEN}"}


@pytest.fixture
def api_client(api_settings, api_index):
    """An in-process client of the service on the fixture index."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(api_settings, index=api_index)) as client:
        yield client


def real_index_key(model: str) -> str:
    """Changes when the corpus, the model or the code that builds an index changes."""
    h = hashlib.sha256(model.encode())
    for p in sorted(CORPUS.iterdir()):
        if p.is_file():
            h.update(p.name.encode())
            h.update(hashlib.sha256(p.read_bytes()).digest())
    for stage in INDEX_BUILDING_STAGES:
        for f in sorted((REPO / "indexer" / stage).rglob("*.py")):
            h.update(f.relative_to(REPO).as_posix().encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:16]


# The packages whose code decides what an index holds (retrieve and answer only read it).
INDEX_BUILDING_STAGES = ("common", "ingest", "parse", "structure", "chunk", "embed", "store")


def pytest_collection_modifyitems(items):
    """A test that uses the real-model index is in the ``real_model`` tier, marked or not."""
    for item in items:
        if "real_index_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_model)


@pytest.fixture(scope="session")
def real_index_dir() -> Path:
    """The corpus indexed with the real all-MiniLM-L6-v2 model, cached under .cache/ (gitignored).

    The first run embeds every chunk (a minute or two on a laptop CPU); later runs reuse the
    directory as long as the corpus and the indexing code are unchanged.
    """
    from indexer.embed.embedder import get_embedder

    model = "all-MiniLM-L6-v2"
    cache = REPO / ".cache"
    index_dir = cache / f"test-index-{real_index_key(model)}"
    if not (index_dir / "CURRENT").is_file():
        for old in cache.glob("test-index-*"):
            if old != index_dir:
                shutil.rmtree(old, ignore_errors=True)
        api_build_index(index_dir, [(p, CORPUS) for p in sorted(CORPUS.glob("*.txt"))], get_embedder(model))
    return index_dir


# ====================================================================== the generated ModernGov-style set
# (moderngov_small: used by tests/ingest, tests/structure, tests/retrieve, tests/evaluate)

@pytest.fixture(scope="session")
def moderngov_small(tmp_path_factory) -> Path:
    """The small version of eval/moderngov/generate.py's tree (two meetings, about a second)."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("moderngov")
    subprocess.run([sys.executable, str(REPO / "eval" / "moderngov" / "generate.py"), str(out), "--small"],
                   check=True, capture_output=True)
    return out


# ====================================================================== ModernGov stand-in fixtures
# (site_*: used by tests/ingest, tests/cli and tests/api; the site is tests/ingest/standin.py)

@pytest.fixture(scope="session")
def site_pdfs(tmp_path_factory) -> Path:
    """The stand-in site's PDFs, generated once."""
    from tests.ingest.standin import Site

    root = tmp_path_factory.mktemp("standin-pdfs")
    Site(root).build()
    return root


@pytest.fixture
def site(httpserver, site_pdfs):
    """A fresh stand-in ModernGov site (its quirks can be changed per test), served on localhost."""
    from tests.ingest.standin import Site, serve

    return serve(httpserver, Site(site_pdfs).build())
