"""Store: the index on disk and the one way into it.

Input: parsed and chunked papers with their vectors (from parse, structure, chunk, embed).
Output: an index directory of generations (``index.py``: manifest, SQLite metadata in
``metadata.py``, FAISS vectors in ``vectors.py``, the BM25 index in ``lexical.py``, the follow-up
tracker in ``tracker.py``) and, for the stages above, an ``Index`` whose repository methods
(``repository.py``) return meetings, documents, items and passages by id. All SQL lives here.
"""
