"""Building the process's embedder from ``memory.embedding`` (the one place that names the builder).

``tarsy.memory.embedders.build_embedder`` picks the local all-MiniLM-L6-v2 or a provider API. It is
looked up when memory is switched on, so a build without it still serves with memory off, and
says plainly what is missing when memory is on.
"""

from __future__ import annotations

import importlib
from typing import cast

from tarsy.config.embedding import EmbeddingConfig
from tarsy.memory.embeddings import Embedder, EmbeddingError

BUILDER_MODULE = "tarsy.memory.embedders"


def build_memory_embedder(config: EmbeddingConfig) -> Embedder:
    """The embedder ``config`` names; ``EmbeddingError`` when no builder is installed."""
    try:
        module = importlib.import_module(BUILDER_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name != BUILDER_MODULE:
            raise
        raise EmbeddingError(
            f"memory is on but this build has no embedders ({BUILDER_MODULE}); switch memory off or install them"
        ) from None
    return cast(Embedder, module.build_embedder(config))
