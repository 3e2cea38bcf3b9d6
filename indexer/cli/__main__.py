"""``python -m indexer.cli`` runs the ``council`` command."""

from indexer.cli import main

main()
