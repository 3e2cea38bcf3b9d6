"""CLI commands for answers and the recommendations tracker (registered in ``indexer.cli``).

- ``council ask "QUESTION"``: an extractive answer with numbered sources (and a timeline for
  follow-up questions), or a one-line abstention.
- ``council recommendations "QUERY"``: RESOLVED points matching the words, with their status
  and timeline (``""`` lists them all).
- ``council cross-references``: every "Further to minute N/YY", resolved or outside the corpus.
"""

from __future__ import annotations

import datetime
import json

import click
from pydantic import BaseModel

from indexer.cli.app import date_opt, index_dir_option, load_stack, model_option, open_index
from indexer.common.contract import AskResponse, RecommendationList
from indexer.common.dates import long_date
from indexer.common.settings import Settings


def _contract_json(model: type[BaseModel], data: dict) -> str:
    """``data`` checked against the JSON contract and printed as the API serves it."""
    dumped = model.model_validate(data).model_dump(mode="json", exclude_unset=True)
    return json.dumps(dumped, indent=2, ensure_ascii=False)


def _when(iso: str) -> str:
    return long_date(datetime.date.fromisoformat(iso))


def _echo_timeline(timeline: list[dict], indent: str = "  ") -> None:
    for e in timeline:
        cite = (e.get("citation") or {}).get("text", "")
        click.echo(f"{indent}{_when(e['meeting_date']):>17}  {e['kind']:<15} {e['text']}")
        if cite:
            click.echo(f"{indent}{'':>17}  {'':<15} \u2014 {cite}")


@click.command()
@click.argument("question")
@click.option("-k", "k", default=5, show_default=True, help="How many passages to answer from (1-50).")
@click.option("--committee", help="Only this committee (name or part of it).")
@click.option("--from", "date_from", help="Only meetings on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Only meetings on or before YYYY-MM-DD.")
@click.option("--type", "doc_type", help="Only this document type (minutes, report, work_programme, ...).")
@click.option("--json", "as_json", is_flag=True, help="Print the answer contract as JSON.")
@index_dir_option
@model_option
@click.pass_obj
def ask(settings: Settings, question, k, committee, date_from, date_to, doc_type, as_json, index_dir, model) -> None:
    """Answer QUESTION from the papers, quoting them with numbered sources."""
    stack = load_stack()
    filters = stack.Filters(committee=committee, date_from=date_opt(date_from, "--from"),
                            date_to=date_opt(date_to, "--to"), doc_type=doc_type)
    s, idx = open_index(settings, index_dir, model)
    out = stack.ask(idx, question, filters, s, k=k)
    if as_json:
        click.echo(_contract_json(AskResponse, out))
        return
    click.echo(out["answer"])
    if out["citations"]:
        click.echo("\nSources:")
        for n, c in enumerate(out["citations"], start=1):
            click.echo(f"  [{n}] {c['citation']['text']}  ({c['doc_type']}, {c['source']['path']})")
    if out["timeline"]:
        click.echo("\nTimeline:")
        _echo_timeline(out["timeline"])


@click.command()
@click.argument("query", default="")
@click.option("--discussed", is_flag=True, help="Also find later passages on the same matter (uses the model).")
@click.option("--limit", default=50, show_default=True, help="At most this many records.")
@click.option("--json", "as_json", is_flag=True, help="Print the records as JSON.")
@index_dir_option
@model_option
@click.pass_obj
def recommendations(settings: Settings, query, discussed, limit, as_json, index_dir, model) -> None:
    """RESOLVED points and recommendations matching QUERY, with status and timeline."""
    _, idx = open_index(settings, index_dir, model)
    recs = load_stack().find_recommendations(idx, query, limit=limit, with_discussed=discussed)
    if as_json:
        click.echo(_contract_json(RecommendationList, {"query": query, "recommendations": recs}))
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


@click.command("cross-references")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@index_dir_option
@model_option
@click.pass_obj
def cross_references_cmd(settings: Settings, as_json, index_dir, model) -> None:
    """Every "Further to minute N/YY": the minute it resolves to, or why it cannot be found."""
    _, idx = open_index(settings, index_dir, model)
    refs = load_stack().cross_references(idx)
    if as_json:
        click.echo(json.dumps(refs, indent=2, ensure_ascii=False))
        return
    for x in refs:
        where = (x["citation"] or {}).get("text", x["source_id"])
        click.echo(f"{x['text']!r:<28} {x['status']:<15} {x['reason']}\n{'':<28} in {where}")
