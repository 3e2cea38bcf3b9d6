"""The ``council`` command: one CLI that mirrors the pipeline.

Exit status: 0 success; 1 some input files could not be read (each is named on stderr,
the others were still processed); 2 usage error or nothing usable (no index, bad option).
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter
from pathlib import Path

import click

from indexer.common.dates import long_date
from indexer.common.errors import CouncilError, ParseError
from indexer.common.settings import Settings

log = logging.getLogger(__name__)

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


class CouncilCLI(click.Group):
    """Turns library errors into one-line messages, never tracebacks."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CouncilError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=CouncilCLI)
@click.option("-v", "--verbose", is_flag=True, help="Log progress and decisions.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Search and question answering over council committee papers."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings()


def read_paths(paths: tuple[str, ...]):
    """Parse every pack under ``paths``; returns (parsed sources, errors)."""
    from indexer.structure.reader import parse_path
    from indexer.ingest.files import iter_input_files

    parsed, errors = [], []
    for p in paths:
        root = Path(p) if Path(p).is_dir() else Path(p).parent
        try:
            units = input_units(Path(p), iter_input_files([p]))
        except ParseError as exc:
            errors.append(exc)
            continue
        for unit in units:
            try:
                parsed.append(parse_path(unit, root=root))
            except ParseError as exc:
                errors.append(exc)
    return parsed, errors


def input_units(top: Path, files: list[Path]) -> list[Path]:
    """A meeting folder (one PDF per document) is one unit; any other file is its own unit."""
    units: list[Path] = []
    seen_dirs: set[Path] = set()
    for f in files:
        folder = f.parent
        if folder != top and (folder / "meeting.json").exists() or _is_meeting_folder(folder):
            if folder not in seen_dirs:
                seen_dirs.add(folder)
                units.append(folder)
        else:
            units.append(f)
    return units


def _is_meeting_folder(folder: Path) -> bool:
    import re

    return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", folder.name)) or (folder / "meeting.json").exists()


def report_errors(errors) -> None:
    for exc in errors:
        click.echo(f"error: {exc}", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def meetings(settings: Settings, paths: tuple[str, ...], as_json: bool) -> None:
    """List the meetings found in PATHS (default: corpus/)."""
    parsed, errors = read_paths(paths or ("corpus",))
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


@main.command()
@click.argument("date")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--committee", help="Committee name (substring, case-insensitive).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def items(settings: Settings, date: str, paths: tuple[str, ...], committee: str | None, as_json: bool) -> None:
    """List one meeting's items (DATE as YYYY-MM-DD) from PATHS (default: corpus/)."""
    from datetime import date as _date

    try:
        when = _date.fromisoformat(date)
    except ValueError:
        raise click.BadParameter(f"{date!r} is not a date in YYYY-MM-DD form", param_hint="DATE")
    parsed, errors = read_paths(paths or ("corpus",))
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


def _index_dir_option(f):
    return click.option("--index-dir", type=click.Path(path_type=Path), envvar="COUNCIL_INDEX_DIR",
                        default=None, help="Index directory [env COUNCIL_INDEX_DIR; default ./data/index].")(f)


def _model_option(f):
    return click.option("--model", envvar="COUNCIL_MODEL", default=None,
                        help="Embedding model [env COUNCIL_MODEL; default all-MiniLM-L6-v2].")(f)


def resolve_settings(settings: Settings, **overrides) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_index_dir_option
@_model_option
@click.option("--prune", is_flag=True, help="Drop indexed files that are no longer under PATHS.")
@click.option("--vector-index", type=click.Choice(["flat", "hnsw", "ivf"]), envvar="COUNCIL_VECTOR_INDEX",
              default=None, help="FAISS index kind for a new index [env COUNCIL_VECTOR_INDEX; default flat].")
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@click.pass_obj
def index(settings: Settings, paths, index_dir, model, prune, vector_index, no_progress) -> None:
    """Add new or changed papers under PATHS to the index; re-running changes nothing."""
    from tqdm import tqdm

    from indexer.embed.embedder import get_embedder
    from indexer.store.index import update_index
    from indexer.structure.privacy import restricted_documents
    from indexer.ingest.files import iter_input_files

    s = resolve_settings(settings, index_dir=index_dir, model=model, vector_index=vector_index)
    units, errors = [], []
    for p in paths:
        top = Path(p)
        root = top if top.is_dir() else top.parent
        try:
            files = iter_input_files([p])
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

    report = update_index(s.index_dir, units, get_embedder(s.model), max_words=s.chunk_words,
                          overlap_words=s.chunk_overlap_words, vector_kind=s.vector_index, prune=prune,
                          restricted=restricted_documents, progress=progress)
    for bar in bars.values():
        bar.close()
    for w in report.warnings:
        log.warning(w)
    click.echo(f"{len(report.added)} added, {len(report.changed)} changed, {len(report.unchanged)} unchanged, "
               f"{len(report.removed)} removed; {report.chunks_embedded} chunks embedded, "
               f"{report.chunks_reused} reused; {report.seconds:.1f}s"
               + ("" if report.wrote else " (index unchanged)"))
    errors += report.errors
    report_errors(errors)
    sys.exit(EXIT_SOME_FAILED if errors else EXIT_OK)


@main.command()
@click.argument("query")
@click.option("-k", "k", default=10, show_default=True, help="How many results (1-50).")
@click.option("--committee", help="Only this committee (name or part of it).")
@click.option("--from", "date_from", help="Only meetings on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Only meetings on or before YYYY-MM-DD.")
@click.option("--type", "doc_type", help="Only this document type (minutes, report, work_programme, ...).")
@click.option("--mode", type=click.Choice(["hybrid", "dense", "bm25"]), default="hybrid", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result contract as JSON.")
@_index_dir_option
@_model_option
@click.pass_obj
def search(settings: Settings, query, k, committee, date_from, date_to, doc_type, mode, as_json, index_dir, model) -> None:
    """Search the papers; prints citations and passages."""
    from indexer.store.index import Index
    from indexer.common.results import Filters
    from indexer.retrieve.search import RetrievalConfig, search as run_search

    s = resolve_settings(settings, index_dir=index_dir, model=model)
    filters = Filters(committee=committee, date_from=_date_opt(date_from, "--from"),
                      date_to=_date_opt(date_to, "--to"), doc_type=doc_type)
    idx = Index.open(s.index_dir, model=model)
    results = run_search(idx, query, k, filters, RetrievalConfig.from_settings(s).but(mode=mode))
    if as_json:
        click.echo(json.dumps({"query": query, "results": [r.to_dict() for r in results]}, indent=2, ensure_ascii=False))
        return
    if not results:
        click.echo("No passages found.")
    for n, r in enumerate(results, start=1):
        click.echo(click.style(f"[{n}] {r.citation}", bold=True) + f"  ({r.doc_type}, {r.path})")
        snippet = " ".join(r.text.split())
        click.echo("    " + (snippet[:300] + "…" if len(snippet) > 300 else snippet) + "\n")


def _date_opt(value: str | None, name: str):
    from datetime import date as _date

    if not value:
        return None
    try:
        return _date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=name)


@main.command("eval")
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
@_model_option
@click.pass_obj
def eval_cmd(settings: Settings, corpus, gold, out_dir, work_dir, chunk_sizes, no_abstention, model) -> None:
    """Compare retrieval configurations and the naive baseline; writes eval/results.md."""
    from indexer.embed.embedder import get_embedder
    from indexer.evaluate.runner import run_eval

    s = resolve_settings(settings, model=model)
    try:
        sizes = tuple(int(x) for x in chunk_sizes.split(","))
    except ValueError:
        raise click.BadParameter("use comma-separated whole numbers, e.g. 120,180,250", param_hint="--chunk-sizes")
    out = run_eval(corpus, gold, out_dir, work_dir, get_embedder(s.model), sizes, not no_abstention, s)
    click.echo(out.markdown)


from indexer.cli import answers as cli_answers  # noqa: E402,F401  (registers `ask` and `recommendations`)


@main.command()
@click.option("--host", envvar="COUNCIL_HOST", default=None, help="Address to listen on [env COUNCIL_HOST; default 127.0.0.1].")
@click.option("--port", envvar="COUNCIL_PORT", type=int, default=None, help="Port [env COUNCIL_PORT; default 8000].")
@_index_dir_option
@_model_option
@click.pass_obj
def serve(settings: Settings, host, port, index_dir, model) -> None:
    """Run the web service: the search form at / and the JSON API (docs at /docs).

    The index is opened once at start; when `council index` swaps in a new generation the
    service picks it up by itself, without a restart. Members see restricted papers with the
    token in COUNCIL_MEMBER_TOKEN (never pass it on the command line).
    """
    import uvicorn

    from api.app import create_app, open_index

    s = resolve_settings(settings, host=host, port=port, index_dir=index_dir, model=model)
    idx = open_index(s)  # IndexNotFound etc. become one-line errors (exit 2) via CouncilCLI
    click.echo(f"Serving {s.index_dir} ({idx.gen.name}, {idx.embedder.model_id}) at http://{s.host}:{s.port}/ "
               "- press Ctrl+C to stop", err=True)
    uvicorn.run(create_app(s, index=idx), host=s.host, port=s.port, log_level="info", server_header=False)
