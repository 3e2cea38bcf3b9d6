"""The ``council`` click group, its global options and the helpers its commands share.

Errors: a ``CouncilError`` raised by any command becomes one line on stderr and exit status 2
(``CouncilCLI``); commands exit 1 when some input files could not be read.
"""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

import click

from indexer.common.errors import CouncilError
from indexer.common.settings import Settings

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


def load_stack():
    """The pipeline the commands run (``indexer.cli.stack``), imported on first use."""
    # Deferred: it pulls numpy, faiss, bm25s and pypdf, which `council --help` must not wait for.
    from indexer.cli import stack as pipeline

    return pipeline


def report_errors(errors) -> None:
    for exc in errors:
        click.echo(f"error: {exc}", err=True)


def index_dir_option(f):
    return click.option("--index-dir", type=click.Path(path_type=Path), envvar="COUNCIL_INDEX_DIR",
                        default=None, help="Index directory [env COUNCIL_INDEX_DIR; default ./data/index].")(f)


def model_option(f):
    return click.option("--model", envvar="COUNCIL_MODEL", default=None,
                        help="Embedding model [env COUNCIL_MODEL; default all-MiniLM-L6-v2].")(f)


def resolve_settings(settings: Settings, **overrides) -> Settings:
    values = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=values) if values else settings


def open_index(settings: Settings, index_dir, model):
    """The settings with the command's overrides, and the index they name, opened."""
    s = resolve_settings(settings, index_dir=index_dir, model=model)
    return s, load_stack().Index.open(s.index_dir, model=model)


def date_opt(value: str | None, name: str):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in YYYY-MM-DD form", param_hint=name)
