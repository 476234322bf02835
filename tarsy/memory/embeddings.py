"""What every embedder offers: texts in, unit-length vectors out (docs/memory.md).

Implementations: the local all-MiniLM-L6-v2 (no network, CPU) and provider APIs; ``build_embedder``
(``tarsy.memory.embedders``) picks one from ``EmbeddingConfig``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from tarsy.errors import TarsyError


class EmbeddingError(TarsyError):
    """An embedder could not produce vectors (model files missing, provider failed); says why."""

    code = "embedding_error"


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the vector space, e.g. ``local:all-MiniLM-L6-v2``: vectors of two names never mix."""
        ...

    @property
    def dimensions(self) -> int: ...

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order; raises ``EmbeddingError``."""
        ...
