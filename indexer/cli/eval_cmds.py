"""``council eval``: compare retrieval configurations and the naive baseline on the gold set."""

from __future__ import annotations

from pathlib import Path

import click

from indexer.cli.app import load_stack, model_option, resolve_settings
from indexer.common.settings import Settings


@click.command("eval")
@click.option("--corpus", type=click.Path(path_type=Path, exists=True, file_okay=False), default=Path("corpus"),
              show_default=True, help="Folder of papers the gold set was written on.")
@click.option("--gold", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=Path("eval/gold.jsonl"), show_default=True, help="Gold questions (JSONL).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("eval"),
              show_default=True, help="Where results.md, qrels.tsv and runs/ are written.")
@click.option("--work-dir", type=click.Path(path_type=Path, file_okay=False), default=Path("data/eval"),
              show_default=True, help="Where evaluation indexes and caches live.")
@click.option("--chunk-sizes", default="180", show_default=True, help="Comma-separated chunk sizes (words) to compare.")
@click.option("--no-abstention", is_flag=True, help="Skip measuring /ask abstention.")
@click.option("--layouts", type=click.Path(path_type=Path, exists=True, dir_okay=False), default=None,
              help="Also score other paper layouts listed in this spec (eval/layouts/layouts.json).")
@model_option
@click.pass_obj
def eval_cmd(settings: Settings, corpus, gold, out_dir, work_dir, chunk_sizes, no_abstention, layouts, model) -> None:
    """Compare retrieval configurations and the naive baseline; writes eval/results.md."""
    stack = load_stack()
    s = resolve_settings(settings, model=model)
    try:
        sizes = tuple(int(x) for x in chunk_sizes.split(","))
    except ValueError:
        raise click.BadParameter("use comma-separated whole numbers, e.g. 120,180,250", param_hint="--chunk-sizes")
    out = stack.run_eval(corpus, gold, out_dir, work_dir, stack.get_embedder(s.model), sizes, not no_abstention, s,
                         layouts=layouts)
    click.echo(out.markdown)
