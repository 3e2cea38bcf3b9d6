"""``council index``: add new or changed papers to the index (re-running changes nothing)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from indexer.cli.app import (EXIT_OK, EXIT_SOME_FAILED, index_dir_option, load_stack, model_option,
                             report_errors, resolve_settings)
from indexer.common.errors import ParseError
from indexer.common.settings import Settings
from indexer.ingest.folders import input_units

# The name the index warnings have always been printed under ("WARNING indexer.cli: ...").
log = logging.getLogger("indexer.cli")


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@index_dir_option
@model_option
@click.option("--prune", is_flag=True, help="Drop indexed files that are no longer under PATHS.")
@click.option("--vector-index", type=click.Choice(["flat", "hnsw", "ivf"]), envvar="COUNCIL_VECTOR_INDEX",
              default=None, help="FAISS index kind for a new index [env COUNCIL_VECTOR_INDEX; default flat].")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@click.option("--ray", "ray_address", envvar="COUNCIL_RAY_ADDRESS", default=None, metavar="ADDRESS",
              help="Embed new passages on this Ray cluster (`local` starts one here) [env COUNCIL_RAY_ADDRESS].")
@click.option("--ray-workers", type=click.IntRange(min=1), envvar="COUNCIL_RAY_WORKERS", default=None,
              help="Ray embedding workers [env COUNCIL_RAY_WORKERS; default one per cluster CPU].")
@click.pass_obj
def index(settings: Settings, paths, index_dir, model, prune, vector_index, no_progress, ray_address,
          ray_workers) -> None:
    """Add new or changed papers under PATHS to the index; re-running changes nothing."""
    from tqdm import tqdm

    stack = load_stack()
    s = resolve_settings(settings, index_dir=index_dir, model=model, vector_index=vector_index,
                         ray_address=ray_address, ray_workers=ray_workers)
    units, errors = [], []
    for p in paths:
        top = Path(p)
        root = top if top.is_dir() else top.parent
        try:
            files = stack.iter_input_files([p])
        except ParseError as exc:
            errors.append(exc)
            continue
        units += [(u, root) for u in input_units(top, files)]
    bars: dict[str, tqdm] = {}

    def progress(kind: str, n: int) -> None:
        if no_progress:
            return
        if kind not in bars:
            bars[kind] = tqdm(desc=kind, unit=" " + kind, total=len(units) if kind == "documents" else None,
                              file=sys.stderr, leave=True)
        bars[kind].update(n)

    # with --ray only the embedding moves to the cluster; reading, chunking and writing stay here
    embedder = (stack.RayEmbedder(s.model, s.ray_address, workers=s.ray_workers) if s.ray_address
                else stack.get_embedder(s.model))
    try:
        report = stack.update_index(s.index_dir, units, embedder, max_words=s.chunk_words,
                                    overlap_words=s.chunk_overlap_words, vector_kind=s.vector_index, prune=prune,
                                    restricted=stack.restricted_documents, progress=progress)
    finally:
        if s.ray_address:
            embedder.close()
    for bar in bars.values():
        bar.close()
    for w in report.warnings:
        log.warning(w)
    click.echo(f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged, "
               f"{len(report.removed)} removed; {report.chunks_embedded} chunks embedded, "
               f"{report.chunks_reused} reused"
               + (f" ({report.chunks_journaled} from an interrupted run)" if report.chunks_journaled else "")
               + f"; {report.seconds:.1f}s"
               + ("" if report.wrote else " (index unchanged)"))
    errors += report.errors
    report_errors(errors)
    sys.exit(EXIT_SOME_FAILED if errors else EXIT_OK)
