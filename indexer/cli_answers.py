"""CLI commands for answers and the recommendations tracker (registered on ``council``)."""

from __future__ import annotations

from .cli import main  # noqa: F401
