"""A deterministic embedder for tests: a hashed bag of words in 384 dimensions, L2-normalised.

Texts that share words are close, texts that share none are orthogonal (up to hash collisions),
so rankings in tests follow word overlap and never depend on a model. Lower-cased words of two or
more letters count; a few stop words do not (they would make every text similar).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Sequence

from tarsy.config.embedding import EMBEDDING_DIMENSIONS
from tarsy.memory.embeddings import EmbeddingError

STOP_WORDS = frozenset({"the", "a", "an", "of", "in", "on", "is", "was", "to", "and", "or", "for", "with", "it"})


def _bucket(word: str) -> int:
    return int.from_bytes(hashlib.sha256(word.encode()).digest()[:4], "big") % EMBEDDING_DIMENSIONS


class HashingEmbedder:
    """Implements ``tarsy.memory.embeddings.Embedder``; ``calls`` counts ``embed`` calls, ``fail`` makes
    them raise (an embedder outage)."""

    def __init__(self, name: str = "fake:hashed-words") -> None:
        self._name = name
        self.calls = 0
        self.fail = False

    @property
    def name(self) -> str:
        return self._name

    @property
    def dimensions(self) -> int:
        return EMBEDDING_DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        if self.fail:
            raise EmbeddingError("the fake embedder was told to fail")
        return [self.vector(text) for text in texts]

    @staticmethod
    def vector(text: str) -> list[float]:
        values = [0.0] * EMBEDDING_DIMENSIONS
        for word in re.findall(r"[a-z0-9]{2,}", text.lower()):
            if word not in STOP_WORDS:
                values[_bucket(word)] += 1.0
        norm = math.sqrt(sum(v * v for v in values))
        if norm == 0:
            values[0] = 1.0  # an empty text still gets a unit vector
            return values
        return [v / norm for v in values]
