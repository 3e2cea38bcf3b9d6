"""Evaluate: measuring retrieval and answers against the gold and held-out question sets.

Input: a corpus folder, the question sets in ``eval/`` and an embedder. Output: ``council eval``'s
tables (``runner.py``: every retrieval configuration against a naive baseline, and abstention),
scored by ``metrics.py`` (MRR, hit@k, citation accuracy), written to ``eval/results.md`` and
TREC runs.
"""
