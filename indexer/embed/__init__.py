"""Turning passages and queries into vectors: one Embedder protocol, one module per backend."""
