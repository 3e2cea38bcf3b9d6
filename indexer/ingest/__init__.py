"""Ingest: find the papers to read — local files now (files.py), the ModernGov fetcher next.

Inputs: paths given on the command line (files and folders).
Outputs: the input files and units (a file, or a meeting folder's files) for parse to read.
"""
