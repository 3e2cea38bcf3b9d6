"""The ``council`` command: one CLI that mirrors the pipeline.

Inputs: command-line arguments, options and ``COUNCIL_*`` environment variables. Outputs: text
or JSON on stdout, one-line errors on stderr, and the exit status: 0 success; 1 some input
files could not be read (each is named on stderr, the others were still processed); 2 usage
error or nothing usable (no index, bad option).

``app`` holds the click group ``main`` and the helpers the commands share; each command group
is its own module, registered on ``main`` below: ``papers_cmds`` (meetings, items),
``index_cmds`` (index), ``fetch_cmds`` (fetch, update: papers from a ModernGov site), ``search_cmds`` (search), ``answers`` (ask, recommendations,
cross-references), ``eval_cmds`` (eval), ``check_cmds`` (check) and ``serve``. ``stack`` gathers the pipeline the
commands run; it is imported on first use, so that ``council --help`` stays fast.
"""

from __future__ import annotations

from indexer.cli import answers, check_cmds, eval_cmds, fetch_cmds, index_cmds, papers_cmds, search_cmds, serve
from indexer.cli.app import main

main.add_command(papers_cmds.meetings)
main.add_command(papers_cmds.items)
main.add_command(index_cmds.index)
main.add_command(fetch_cmds.fetch)
main.add_command(fetch_cmds.update)
main.add_command(search_cmds.search)
main.add_command(answers.ask)
main.add_command(answers.recommendations)
main.add_command(answers.cross_references_cmd)
main.add_command(eval_cmds.eval_cmd)
main.add_command(serve.serve)
main.add_command(check_cmds.check)

__all__ = ["main"]
