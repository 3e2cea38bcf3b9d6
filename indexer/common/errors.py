"""Typed errors raised by the library; the CLI and API translate them at the edges."""

from __future__ import annotations

from pathlib import Path


class CouncilError(Exception):
    """Base class for every error this project raises on purpose."""


class ParseError(CouncilError):
    """A source file could not be read into meetings, documents and items."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class IndexNotFound(CouncilError):
    def __init__(self, index_dir: str | Path) -> None:
        self.index_dir = str(index_dir)
        super().__init__(
            f"no index at {self.index_dir}: run `council index PATHS` first"
        )


class ModelMismatch(CouncilError):
    def __init__(self, index_dir: str | Path, built_with: str, requested: str) -> None:
        self.index_dir = str(index_dir)
        self.built_with = built_with
        self.requested = requested
        super().__init__(
            f"index at {self.index_dir} was built with model {built_with!r}, "
            f"but {requested!r} was requested; rebuild it or choose that model"
        )


class IndexCorrupt(CouncilError):
    def __init__(self, index_dir: str | Path, reason: str) -> None:
        self.index_dir = str(index_dir)
        self.reason = reason
        super().__init__(f"index at {self.index_dir} is unusable: {reason}")


class NotFound(CouncilError):
    """An id (meeting, item, document, chunk) that the index does not hold."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} with id {ident!r}")
