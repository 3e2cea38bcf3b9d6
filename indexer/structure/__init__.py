"""Structure: find the layout of council papers — meetings, items, minutes, documents, trackers.

Inputs: the pages of text from parse (``SourceText``, with running headers and "Page N"
markers). Outputs: ``ParsedSource`` with its meetings, items, documents and tracker table
rows, as indexer.common.models types (``reader.parse_path``).

Modules: common (lines, page layout, heading helpers), documents (document boundaries,
doc types, appendices), minutes (minute numbering, RESOLVED blocks, cross-references,
attendance), meetings (front sheets: committee, date, place, agenda items), trackers
(tab-separated tables of trackers and work programmes), privacy (restricted documents),
meeting_json (a fetched meeting.json's agenda items, document URLs and restricted flags),
reader (puts them together per file or meeting folder).
"""
