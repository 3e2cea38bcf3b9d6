"""Finding passages for a query: filters, dense and BM25 rankings, fusion and ranking signals."""
