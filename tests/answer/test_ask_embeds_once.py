"""One /ask embeds its question once: retrieval, answer sentences and abstention share the vector."""

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from indexer.answer.ask import ask
from indexer.common.settings import Settings
from indexer.embed.hashing import HashEmbedder
from indexer.store.index import Index


@pytest.fixture
def counted(api_index_dir):
    """A fresh index on the fixture corpus, and the texts its embedder embeds as queries."""
    index = Index.open(api_index_dir, embedder=HashEmbedder())
    calls = []
    real = index.embedder.embed_batch

    def counting(texts, kind="passage", **kw):
        if kind == "query":
            calls.extend(texts)
        return real(texts, kind=kind, **kw)

    index.embedder.embed_batch = counting
    yield index, calls
    index.close()


def test_ask_embeds_the_question_once(counted):
    index, calls = counted
    q = "how many social workers did the council employ in 2019?"
    ask(index, q, settings=Settings())  # abstention on: the neighbours check embeds too
    assert calls.count(q) == 1


def test_the_ask_endpoint_embeds_the_question_once(counted, api_index_dir):
    index, calls = counted
    q = "What happened to the social worker retention recommendation?"
    with TestClient(create_app(Settings(index_dir=api_index_dir), index=index)) as client:
        assert client.post("/ask", json={"question": q}).status_code == 200
    assert calls.count(q) == 1
