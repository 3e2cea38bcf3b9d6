"""``council serve``: the web service (search form and JSON API) over the live index."""

from __future__ import annotations

import click

from indexer.cli.app import index_dir_option, model_option, resolve_settings
from indexer.common.settings import Settings


@click.command()
@click.option("--host", envvar="COUNCIL_HOST", default=None, help="Address to listen on [env COUNCIL_HOST; default 127.0.0.1].")
@click.option("--port", envvar="COUNCIL_PORT", type=int, default=None, help="Port [env COUNCIL_PORT; default 8000].")
@index_dir_option
@model_option
@click.pass_obj
def serve(settings: Settings, host, port, index_dir, model) -> None:
    """Run the web service: the search form at / and the JSON API (docs at /docs).

    The index is opened once at start; when `council index` swaps in a new generation the
    service picks it up by itself, without a restart. Members see restricted papers with the
    token in COUNCIL_MEMBER_TOKEN (never pass it on the command line).
    """
    import uvicorn

    # Deferred: api.app pulls FastAPI and the index/search stack.
    from api.app import create_app, open_index

    s = resolve_settings(settings, host=host, port=port, index_dir=index_dir, model=model)
    idx = open_index(s)  # IndexNotFound etc. become one-line errors (exit 2) via CouncilCLI
    click.echo(f"Serving {s.index_dir} ({idx.gen.name}, {idx.embedder.model_id}) at http://{s.host}:{s.port}/ "
               "- press Ctrl+C to stop", err=True)
    uvicorn.run(create_app(s, index=idx), host=s.host, port=s.port, log_level="info", server_header=False)
