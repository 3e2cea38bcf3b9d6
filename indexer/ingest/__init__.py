"""Finding papers: local files and meeting folders (the ModernGov fetcher goes here)."""
