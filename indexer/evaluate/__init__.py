"""Measuring retrieval and answers against the gold and held-out question sets."""
