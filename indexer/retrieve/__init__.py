"""Retrieve: finding passages for a query, and reading the index by id for the service's pages.

Input: an ``Index`` (store), a query, ``Filters`` and a ``RetrievalConfig`` (``config.py``).
Output: ranked ``SearchResult`` lists (``search.py``) and plain dicts of meetings and items
(``browse.py``). Filters become allowed ids (``filters.py``); the dense and BM25 rankings are fused
(``fusion.py``); ranking signals add small boosts, one class each in ``signals/``: a new signal
is a new file in ``retrieve/signals/`` and one line in its ``REGISTRY``.
"""
