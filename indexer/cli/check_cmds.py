"""``council check``: verify the live index (checksums, SQLite, FAISS, and that they agree)."""

from __future__ import annotations

import sys

import click

from indexer.cli.app import EXIT_OK, EXIT_SOME_FAILED, index_dir_option, load_stack, resolve_settings
from indexer.common.settings import Settings


@click.command("check")
@index_dir_option
@click.pass_obj
def check(settings: Settings, index_dir) -> None:
    """Verify the live index: every file's checksum, SQLite's integrity, the FAISS index, that
    SQLite and FAISS hold the same passages, and the BM25 index. Exit 1 when a check fails."""
    s = resolve_settings(settings, index_dir=index_dir)
    results = load_stack().check_index(s.index_dir)
    for c in results:
        mark = "info" if c.info else ("ok" if c.ok else "FAIL")
        click.echo(f"{mark:>4}  {c.name}: {c.detail}")
    failed = [c for c in results if not c.ok and not c.info]
    click.echo(f"{s.index_dir}: " + (f"{len(failed)} check(s) failed" if failed else "every check passed"))
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)
