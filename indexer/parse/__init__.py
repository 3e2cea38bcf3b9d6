"""Parse: read one file into text with page boundaries (plain text, markdown and PDF).

Inputs: the files ingest found. Outputs: ``SourceText`` (indexer.common.models) — the text
verbatim, its pages, and the helpers for "Page N" markers and running headers.
"""
