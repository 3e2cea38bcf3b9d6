"""``council search``: ranked passages with their citations (or the result contract as JSON).

The CLI lists passages, as the ranking gives them (``council eval`` scores the same ranking);
``GET /search`` and the web page group them into agenda items (``indexer.retrieve.items``)."""

from __future__ import annotations

import json

import click

from indexer.cli.app import date_opt, index_dir_option, load_stack, model_option, open_index
from indexer.common.contract import PassageResponse
from indexer.common.settings import Settings


@click.command()
@click.argument("query")
@click.option("-k", "k", default=10, show_default=True, help="How many results (1-50).")
@click.option("--committee", help="Only this committee (name or part of it).")
@click.option("--from", "date_from", help="Only meetings on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Only meetings on or before YYYY-MM-DD.")
@click.option("--type", "doc_type", help="Only this document type (minutes, report, work_programme, ...).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result contract as JSON.")
@index_dir_option
@model_option
@click.pass_obj
def search(settings: Settings, query, k, committee, date_from, date_to, doc_type, mode, as_json, index_dir, model) -> None:
    """Search the papers; prints citations and passages."""
    stack = load_stack()
    filters = stack.Filters(committee=committee, date_from=date_opt(date_from, "--from"),
                            date_to=date_opt(date_to, "--to"), doc_type=doc_type)
    s, idx = open_index(settings, index_dir, model)
    results = stack.search(idx, query, k, filters, stack.RetrievalConfig.from_settings(s).but(mode=mode))
    if as_json:
        payload = PassageResponse(query=query, results=[r.to_dict() for r in results]).model_dump()
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not results:
        click.echo("No passages found.")
    for n, r in enumerate(results, start=1):
        click.echo(click.style(f"[{n}] {r.citation}", bold=True) + f"  ({r.doc_type}, {r.path})")
        snippet = " ".join(r.text.split())
        click.echo("    " + (snippet[:300] + "…" if len(snippet) > 300 else snippet) + "\n")
