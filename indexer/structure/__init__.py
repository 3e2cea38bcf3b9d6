"""Finding the structure of council papers: meetings, front sheets, minutes, documents, trackers."""
