"""Parse: read one file into text with page boundaries (plain text, markdown and PDF).

Inputs: the files ingest found. Outputs: ``SourceText`` (indexer.common.models) — the text, its
pages, warnings about pages that could not be read, and the helpers for "Page N" markers and
running headers. Modules by job:

- ``sources``: ``load_source`` (text and markdown verbatim; PDFs through ``pdf``), ``page_markers``,
  ``running_lines``;
- ``pdf``: a PDF's pages through pdfium (pypdfium2), chosen by benchmarks/pdf_extraction.py;
- ``layout``: positioned text to lines as read — rows, running headers and footers, two columns,
  paragraph gaps; ``hyphens``: words broken at a line end; ``tables``: ruled tables (pdfplumber)
  as tab-separated rows; ``ocr``: scanned pages through Debian's tesseract.

What a PDF's ``SourceText`` holds:

- ``text``: the pages' text joined by a blank line, as a person reads it: running headers and
  footers, "Page N of M" lines and repeated banners are *not* in it; two columns are read one
  after the other; a word hyphenated at a line end is whole on the first line ("recommendation",
  but "well-being"); a ruled table is one line per row with cells separated by tabs, its first
  row the column names (the form the text packs use); paragraphs are separated by blank lines.
- ``pages``: one ``Page`` per PDF page with its character range, ``pdf_page`` (1-based position
  in the file), ``printed_page`` (read from its page-number furniture, e.g. "Page 68" or
  "Page 3 of 12"), ``ocr`` (True when tesseract read the page) and ``furniture``: the header and
  footer lines taken out of the text, top to bottom, exactly as printed (a header row whose parts
  sit apart, e.g. a title at the left and "Appendix 2" at the right, is one line with a tab between
  them). They are kept for dating: a running header such as "Cabinet - 13 March 2025" names the
  meeting a report was written for.
- ``warnings``: e.g. scanned pages left empty because tesseract is not installed, naming the file
  and the pages; the structure reader passes them on to ``ParsedSource.warnings``.
"""
