"""``council meetings`` and ``council items``: what the packs under a path hold (no index)."""

from __future__ import annotations

import datetime
import json
import sys
from collections import Counter

import click

from indexer.cli.app import EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, report_errors
from indexer.common.dates import long_date
from indexer.common.settings import Settings


def _read(paths: tuple[str, ...]):
    """Parse every pack under ``paths``; returns (parsed sources, errors)."""
    # Deferred: the pack reader pulls pypdf, which `council --help` must not wait for.
    from indexer.cli import packs

    return packs.read_paths(paths)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def meetings(settings: Settings, paths: tuple[str, ...], as_json: bool) -> None:
    """List the meetings found in PATHS (default: corpus/)."""
    parsed, errors = _read(paths or ("corpus",))
    rows = _meeting_rows(parsed)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for r in rows:
            click.echo(f"{r['date']}  {r['start_time'] or '--:--'}  {r['committee']}  "
                       f"({r['documents']} documents, {r['items']} items)")
    report_errors(errors)
    sys.exit(EXIT_SOME_FAILED if errors else EXIT_OK)


def _meeting_rows(parsed) -> list[dict]:
    meetings, docs, items = {}, Counter(), Counter()
    for ps in parsed:
        for m in ps.meetings:
            meetings.setdefault(m.id, m)
        for d in ps.documents:
            docs[d.meeting_id] += 1
        for it in ps.items:
            items[it.meeting_id] += 1
    return [
        {"id": m.id, "committee": m.committee, "council": m.council, "date": m.date.isoformat(),
         "start_time": m.start_time.strftime("%H:%M") if m.start_time else None, "place": m.place,
         "documents": docs[m.id], "items": items[m.id]}
        for m in sorted(meetings.values(), key=lambda m: (m.date, m.committee))
    ]


@click.command()
@click.argument("date")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--committee", help="Committee name (substring, case-insensitive).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def items(settings: Settings, date: str, paths: tuple[str, ...], committee: str | None, as_json: bool) -> None:
    """List one meeting's items (DATE as YYYY-MM-DD) from PATHS (default: corpus/)."""
    try:
        when = datetime.date.fromisoformat(date)
    except ValueError:
        raise click.BadParameter(f"{date!r} is not a date in YYYY-MM-DD form", param_hint="DATE")
    parsed, errors = _read(paths or ("corpus",))
    docs = {d.id: d for ps in parsed for d in ps.documents}
    meetings = {m.id: m for ps in parsed for m in ps.meetings if m.date == when
                and (not committee or committee.lower() in m.committee.lower())}
    rows = []
    for ps in parsed:
        for it in ps.items:
            if it.meeting_id not in meetings:
                continue
            types = [docs[d].doc_type for d in it.document_ids if d in docs]
            rows.append({"id": it.id, "meeting_id": it.meeting_id, "kind": it.kind, "number": it.number,
                         "title": it.title, "doc_type": "minutes" if it.kind == "minute" else (types[0] if types else None),
                         "documents": [docs[d].title for d in it.document_ids if d in docs],
                         "page_start": it.page_start, "page_end": it.page_end, "order": it.order,
                         "resolutions": len(it.resolutions),
                         "cross_refs": [c.text for c in it.cross_refs]})
    rows.sort(key=lambda r: (r["meeting_id"], r["kind"] != "minute", r["order"]))
    if not meetings:
        report_errors(errors)
        click.echo(f"error: no meeting on {date}" + (f" for committee {committee!r}" if committee else ""), err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(rows, indent=2))
    else:
        for mid, m in meetings.items():
            click.echo(f"{m.committee}, {long_date(m.date)}")
            for r in rows:
                if r["meeting_id"] == mid:
                    pages = f"pp. {r['page_start']}-{r['page_end']}" if r["page_start"] else ""
                    label = (f"minute {r['number'] or '-'}" if r["kind"] == "minute" else f"item {r['number'] or '-'}")
                    click.echo(f"  {label:>11}  {r['title'][:70]:<70}  {r['doc_type'] or '':<18} {pages}")
    report_errors(errors)
    sys.exit(EXIT_SOME_FAILED if errors else EXIT_OK)
