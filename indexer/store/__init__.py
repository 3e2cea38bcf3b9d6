"""The index on disk: generations, SQLite metadata, FAISS vectors and the BM25 index."""
