"""Trackers and work programmes: the rows of tab-separated tables.

Outstanding-issues trackers and work programmes are printed as tables; :func:`find_tables`
keeps their rows (with offsets) so later stages can follow each issue.
"""

from __future__ import annotations

from indexer.common.models import Span, Table, TableRow
from indexer.structure.common import Line, split_lines

def find_tables(text: str, span: Span) -> list[Table]:
    """Runs of tab-separated lines; repeated header rows (page breaks) are not data rows."""
    tables: list[Table] = []
    run: list[Line] = []

    def flush() -> None:
        if len(run) < 2:
            run.clear()
            return
        header = tuple(c.strip() for c in run[0].raw.split("\t"))
        rows = tuple(TableRow(tuple(c.strip() for c in ln.raw.split("\t")), (ln.start, ln.end))
                     for ln in run[1:] if tuple(c.strip() for c in ln.raw.split("\t")) != header)
        tables.append(Table(header, rows, (run[0].start, run[-1].end)))
        run.clear()

    for ln in split_lines(text, *span):
        if "\t" in ln.raw:
            run.append(ln)
        elif ln.text == "" or (run and ln.text.lower().startswith(("date\t",))):
            continue
        else:
            # a heading between two parts of the same table (e.g. "SB2 Work Programme")
            # ends the run only if the next table does not repeat the header
            flush()
    flush()
    return _merge_repeated(tables)


def _merge_repeated(tables: list[Table]) -> list[Table]:
    out: list[Table] = []
    for t in tables:
        if out and out[-1].header == t.header:
            prev = out[-1]
            out[-1] = Table(prev.header, prev.rows + t.rows, (prev.span[0], t.span[1]))
        else:
            out.append(t)
    return out
