"""CLI commands for answers and the recommendations tracker (registered on ``council``).

- ``council ask "QUESTION"``: an extractive answer with numbered sources (and a timeline for
  follow-up questions), or a one-line abstention.
- ``council recommendations "QUERY"``: RESOLVED points matching the words, with their status
  and timeline (``""`` lists them all).
- ``council cross-references``: every "Further to minute N/YY", resolved or outside the corpus.
"""

from __future__ import annotations

import json

import click

from indexer.cli import _date_opt, _index_dir_option, _model_option, main, resolve_settings
from indexer.common.dates import long_date
from indexer.common.settings import Settings


def _open(settings: Settings, index_dir, model):
    from indexer.store.index import Index

    s = resolve_settings(settings, index_dir=index_dir, model=model)
    return s, Index.open(s.index_dir, model=model)


def _when(iso: str) -> str:
    from datetime import date

    return long_date(date.fromisoformat(iso))


def _echo_timeline(timeline: list[dict], indent: str = "  ") -> None:
    for e in timeline:
        cite = (e.get("citation") or {}).get("citation", "")
        click.echo(f"{indent}{_when(e['meeting_date']):>17}  {e['kind']:<15} {e['text']}")
        if cite:
            click.echo(f"{indent}{'':>17}  {'':<15} \u2014 {cite}")


@main.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, help="How many passages to answer from (1-50).")
@click.option("--committee", help="Only this committee (name or part of it).")
@click.option("--from", "date_from", help="Only meetings on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Only meetings on or before YYYY-MM-DD.")
@click.option("--type", "doc_type", help="Only this document type (minutes, report, work_programme, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer contract as JSON.")
@_index_dir_option
@_model_option
@click.pass_obj
def ask(settings: Settings, question, k, committee, date_from, date_to, doc_type, as_json, index_dir, model) -> None:
    """Answer QUESTION from the papers, quoting them with numbered sources."""
    from indexer.answer.ask import ask as run_ask
    from indexer.common.results import Filters

    filters = Filters(committee=committee, date_from=_date_opt(date_from, "--from"),
                      date_to=_date_opt(date_to, "--to"), doc_type=doc_type)
    s, idx = _open(settings, index_dir, model)
    out = run_ask(idx, question, filters, s, k=k)
    if as_json:
        click.echo(json.dumps(out, indent=2, ensure_ascii=False))
        return
    click.echo(out["answer"])
    if out["citations"]:
        click.echo("\nSources:")
        for n, c in enumerate(out["citations"], start=1):
            click.echo(f"  [{n}] {c['citation']}  ({c['doc_type']}, {c['source']['path']})")
    if out["timeline"]:
        click.echo("\nTimeline:")
        _echo_timeline(out["timeline"])


@main.command()
@click.argument("query", default="")
@click.option("--discussed", is_flag=True, help="Also find later passages on the same matter (uses the model).")
@click.option("--limit", default=50, show_default=True, help="At most this many records.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@_index_dir_option
@_model_option
@click.pass_obj
def recommendations(settings: Settings, query, discussed, limit, as_json, index_dir, model) -> None:
    """RESOLVED points and recommendations matching QUERY, with status and timeline."""
    from indexer.answer.recommendations import find_recommendations

    _, idx = _open(settings, index_dir, model)
    recs = find_recommendations(idx, query, limit=limit, with_discussed=discussed)
    if as_json:
        click.echo(json.dumps({"query": query, "recommendations": recs}, indent=2, ensure_ascii=False))
        return
    if not recs:
        click.echo("No recommendations match." if query else "The index holds no RESOLVED points.")
    for r in recs:
        where = f"minute {r['minute']}" + (f", point {r['point']}" if r["point"] else "")
        click.echo(click.style(f"{_when(r['meeting_date'])}, {where}: {r['minute_title']}", bold=True)
                   + f"  [{r['status']}]")
        if r["addressee"]:
            click.echo(f"  to: {r['addressee']}")
        click.echo(f"  {r['text']}")
        _echo_timeline(r["timeline"][1:], indent="    ")
        click.echo()


@main.command("cross-references")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_index_dir_option
@_model_option
@click.pass_obj
def cross_references_cmd(settings: Settings, as_json, index_dir, model) -> None:
    """Every "Further to minute N/YY": the minute it resolves to, or why it cannot be found."""
    from indexer.answer.recommendations import cross_references

    _, idx = _open(settings, index_dir, model)
    refs = cross_references(idx)
    if as_json:
        click.echo(json.dumps(refs, indent=2, ensure_ascii=False))
        return
    for x in refs:
        where = (x["citation"] or {}).get("citation", x["source_id"])
        click.echo(f"{x['text']!r:<28} {x['status']:<15} {x['reason']}\n{'':<28} in {where}")
