"""``build_embedder``: the ``Embedder`` that ``memory.embedding`` names (docs/memory.md "Embeddings")."""

from __future__ import annotations

from collections.abc import Mapping

from tarsy.config.embedding import EmbeddingConfig
from tarsy.memory.embeddings import Embedder, EmbeddingError
from tarsy.memory.minilm import LocalEmbedder, model_directory
from tarsy.memory.provider_embedders import GoogleEmbedder, OpenAIEmbedder
from tarsy.settings import process_environment

DEFAULT_MODELS = {"openai": "text-embedding-3-small", "google": "gemini-embedding-001"}
DEFAULT_KEY_ENVS = {"openai": "OPENAI_API_KEY", "google": "GOOGLE_API_KEY"}


def build_embedder(config: EmbeddingConfig, env: Mapping[str, str] | None = None) -> Embedder:
    """Cheap to call: the local model's weights load once per process, on its first ``embed``.

    Raises ``EmbeddingError`` at once for what cannot work: the model package missing, or the
    provider key's environment variable unset in ``env`` (``Settings.environ``; default the process's).
    """
    if config.backend == "local":
        model_directory()  # fail now, with the install command, rather than at the first memory
        return LocalEmbedder(batch_size=config.batch_size)
    environment = process_environment() if env is None else env
    key_env = config.api_key_env or DEFAULT_KEY_ENVS[config.backend]
    api_key = environment.get(key_env, "")
    if not api_key:
        raise EmbeddingError(
            f"memory.embedding backend '{config.backend}' needs an API key in the environment variable "
            f"{key_env}, which is not set"
        )
    model = config.model or DEFAULT_MODELS[config.backend]
    provider = OpenAIEmbedder if config.backend == "openai" else GoogleEmbedder
    return provider(
        model=model,
        api_key=api_key,
        base_url=config.base_url,
        timeout=config.timeout_seconds,
        batch_size=config.batch_size,
    )
