"""One /ask embeds its question once: retrieval, answer sentences and abstention share the vector."""

from indexer.answer.ask import ask
from indexer.common.settings import Settings
from indexer.embed.embedder import HashEmbedder
from indexer.store.index import Index


def test_ask_embeds_the_question_once(api_index_dir):
    index = Index.open(api_index_dir, embedder=HashEmbedder())
    calls = []
    real = index.embedder.embed_batch

    def counting(texts, kind="passage", **kw):
        if kind == "query":
            calls.extend(texts)
        return real(texts, kind=kind, **kw)

    index.embedder.embed_batch = counting
    q = "how many social workers did the council employ in 2019?"
    try:
        ask(index, q, settings=Settings())  # abstention on: the neighbours check embeds too
    finally:
        index.close()
    assert calls.count(q) == 1
