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
@click.option("--answers", "answers", is_flag=True,
              help="Evaluate answers instead (eval/answers.jsonl): facts stated with the right meeting, refusals.")
@click.option("--answers-file", "answers_files", type=click.Path(path_type=Path, dir_okay=False), multiple=True,
              default=(Path("eval/answers.jsonl"), Path("eval/answers_moderngov.jsonl")), show_default=True,
              help="Answer question files (JSONL; missing ones are skipped).")
@click.option("--corpora", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              default=Path("eval/answer_corpora.json"), show_default=True, help="Where each layout's papers are.")
@click.option("--label", default="current", show_default=True, help="Name the answer run is kept under.")
@model_option
@click.pass_obj
def eval_cmd(settings: Settings, corpus, gold, out_dir, work_dir, chunk_sizes, no_abstention, layouts, answers,
             answers_files, corpora, label, model) -> None:
    """Compare retrieval configurations and the naive baseline; writes eval/results.md.
    With --answers: score /ask's answers on eval/answers.jsonl (a section of eval/results.md)."""
    stack = load_stack()
    s = resolve_settings(settings, model=model)
    if answers:
        try:
            md = stack.run_answer_eval(list(answers_files), corpora, out_dir, work_dir, stack.get_embedder(s.model),
                                       s, label)
        except ValueError as e:
            raise click.ClickException(str(e)) from None
        click.echo(md)
        return
    try:
        sizes = tuple(int(x) for x in chunk_sizes.split(","))
    except ValueError:
        raise click.BadParameter("use comma-separated whole numbers, e.g. 120,180,250", param_hint="--chunk-sizes")
    out = stack.run_eval(corpus, gold, out_dir, work_dir, stack.get_embedder(s.model), sizes, not no_abstention, s,
                         layouts=layouts)
    click.echo(out.markdown)
