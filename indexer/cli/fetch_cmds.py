"""``council fetch`` and ``council update``: a council's papers from its ModernGov site.

``fetch`` writes ``DIR/<committee>/<YYYY-MM-DD>/`` folders with a ``meeting.json`` each;
``update`` (or ``fetch --index``) then indexes only the meetings whose files changed, for a
nightly job. Exit status: 0 when every document came, 1 when some could not be fetched (each
named on stderr with the reason), 2 when the site itself is unusable (with what was tried and
what it answered) or an option is wrong.

Member credentials (``--member-cookie``, ``--member-header``, or their environment variables)
let restricted documents be fetched; they are never printed or logged, and the documents they
fetch stay restricted: anonymous users never see them.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from indexer.cli.app import (EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, date_opt, index_dir_option, load_stack,
                             model_option, report_errors, resolve_settings)
from indexer.common.settings import Settings
from indexer.ingest.files import unit_files
from indexer.ingest.moderngov import FetchReport, Politeness, SiteClient, fetch_site

log = logging.getLogger("indexer.cli")


def fetch_options(f):
    opts = [
        click.option("--committee", "committees", multiple=True, metavar="TITLE",
                     help="Only this committee (its title on the site); repeat for more."),
        click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Only meetings on or after this date."),
        click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only meetings on or before this date."),
        click.option("--delay", type=float, default=1.0, show_default=True, envvar="COUNCIL_FETCH_DELAY",
                     help="Seconds between requests (one at a time) [env COUNCIL_FETCH_DELAY]."),
        click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait for an answer."),
        click.option("--retries", type=int, default=3, show_default=True,
                     help="Retries after a 5xx, 429 or timeout, with backoff (honouring Retry-After)."),
        click.option("--max-mb", type=float, default=50.0, show_default=True, help="Largest document to download."),
        click.option("--member-cookie", envvar="COUNCIL_MEMBER_COOKIE", default=None, metavar="COOKIE",
                     help="A signed-in member's Cookie header, to fetch restricted documents (never logged) "
                          "[env COUNCIL_MEMBER_COOKIE]."),
        click.option("--member-header", envvar="COUNCIL_MEMBER_HEADER", default=None, metavar="'NAME: VALUE'",
                     help="Or a header carrying the member's credentials (never logged) [env COUNCIL_MEMBER_HEADER]."),
    ]
    for opt in reversed(opts):
        f = opt(f)
    return f


def run_fetch(site_url: str, out: Path, committees, date_from, date_to, delay, timeout, retries, max_mb,
              member_cookie, member_header) -> FetchReport:
    lo, hi = date_opt(date_from, "--from"), date_opt(date_to, "--to")
    if lo and hi and lo > hi:
        raise click.BadParameter("--from is after --to", param_hint="--from")
    polite = Politeness(delay=max(0.0, delay), timeout=timeout, retries=max(0, retries),
                        max_bytes=int(max_mb * 1024 * 1024))
    try:
        client = SiteClient(site_url, polite, cookie=member_cookie, header=member_header)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="SITE_URL") from None
    with client:
        try:
            report = fetch_site(client, out, tuple(committees), lo, hi,
                                progress=lambda where: log.info("fetching %s", where))
        except ValueError as exc:  # the output folder belongs to another site
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
    _print(report)
    return report


def _print(r: FetchReport) -> None:
    for p in r.restricted:
        click.echo(f"restricted: {p}", err=True)
    for p in r.failures:
        click.echo(f"error: {p}", err=True)
    if r.site_error:
        click.echo(f"error: {r.site_error}", err=True)
        for t in r.tried:
            click.echo(f"  tried {t}", err=True)
        return
    per = sum(r.meeting_seconds) / len(r.meeting_seconds) if r.meeting_seconds else 0.0
    click.echo(f"{r.site} ({r.source}): {r.committees} committees, {r.meetings} meetings"
               + (f" ({r.meetings_skipped} already done by the interrupted run)" if r.meetings_skipped else "")
               + f"; {r.downloaded} documents downloaded, {r.unchanged} unchanged, {r.resumed} resumed, "
               f"{r.duplicates} duplicates kept once, {len(r.restricted)} restricted, {len(r.failures)} failed; "
               f"{len(r.changed)} meeting folders changed; {r.requests} requests, {r.bytes / 1024:.1f} KiB, "
               f"{r.seconds:.1f}s ({per:.2f}s per meeting)")


def _exit_code(r: FetchReport) -> int:
    return EXIT_USAGE if r.site_error else EXIT_SOME_FAILED if r.failures else EXIT_OK


def _index_changed(settings: Settings, out: Path, report: FetchReport, index_dir, model) -> int:
    """Index the fetched meeting folders. Every folder is given, so that an index rebuilt after an
    upgrade keeps them all, but only new or changed ones are read and embedded (the index
    compares content hashes): in practice, the meetings this fetch changed."""
    stack = load_stack()
    s = resolve_settings(settings, index_dir=index_dir, model=model)
    # a meeting with no papers yet (only its meeting.json) has nothing to index
    units = [(mj.parent, out) for mj in sorted(out.glob("*/*/meeting.json")) if unit_files(mj.parent)]
    r = stack.update_index(s.index_dir, units, stack.get_embedder(s.model), max_words=s.chunk_words,
                           overlap_words=s.chunk_overlap_words, vector_kind=s.vector_index,
                           restricted=stack.restricted_documents)
    for w in r.warnings:
        log.warning(w)
    if not (r.added or r.changed or r.removed):
        click.echo(f"nothing new to index ({len(report.changed)} meeting folders changed on the site); "
                   "the index is untouched")
    else:
        click.echo(f"indexed: {len(r.added)} added, {len(r.changed)} changed, {len(r.unchanged)} unchanged; "
                   f"{r.chunks_embedded} chunks embedded, {r.chunks_reused} reused; {r.seconds:.1f}s")
    report_errors(r.errors)
    return EXIT_SOME_FAILED if r.errors else EXIT_OK


@click.command()
@click.argument("site_url")
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write <committee>/<YYYY-MM-DD>/ meeting folders into.")
@fetch_options
@click.option("--index", "then_index", is_flag=True, help="Then index the meetings that changed (as `council update`).")
@index_dir_option
@model_option
@click.pass_obj
def fetch(settings: Settings, site_url, out, then_index, index_dir, model, **opts) -> None:
    """Fetch a council's papers from its ModernGov site (SITE_URL, e.g. https://democracy.example.gov.uk)."""
    report = run_fetch(site_url, out, **opts)
    code = _exit_code(report)
    if then_index and not report.site_error:
        code = max(code, _index_changed(settings, out, report, index_dir, model))
    sys.exit(code)


@click.command()
@click.argument("site_url")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), envvar="COUNCIL_PAPERS_DIR",
              default=Path("data/papers"), show_default=True,
              help="Folder of fetched papers [env COUNCIL_PAPERS_DIR].")
@fetch_options
@index_dir_option
@model_option
@click.pass_obj
def update(settings: Settings, site_url, out, index_dir, model, **opts) -> None:
    """Fetch what is new or changed on a ModernGov site, then index only that (for a nightly job)."""
    report = run_fetch(site_url, out, **opts)
    code = _exit_code(report)
    if not report.site_error:
        code = max(code, _index_changed(settings, out, report, index_dir, model))
    sys.exit(code)
