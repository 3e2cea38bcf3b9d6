"""Ingest: find the papers to read — local files (files.py, folders.py), and a council's papers
fetched from its ModernGov site into meeting folders (moderngov/: `council fetch`).

Inputs: paths given on the command line (files and folders).
Outputs: the input files and units (a file, or a meeting folder's files) for parse to read.
"""
