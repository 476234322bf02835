"""Embedders over a provider's API: OpenAI-compatible ``/embeddings`` and Google's Gemini API.

Both ask the provider for ``EMBEDDING_DIMENSIONS`` wide vectors (``dimensions`` /
``outputDimensionality``), check what comes back and L2-normalise it (Gemini's reduced vectors are
not unit length). Errors name the provider, the model and the HTTP status, never the key or the
provider's own message (which may quote the key). docs/memory.md "Embeddings".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np
import openai
from langchain_openai import OpenAIEmbeddings
from pydantic import SecretStr

from tarsy.config.embedding import EMBEDDING_DIMENSIONS
from tarsy.memory.embeddings import EmbeddingError

GOOGLE_BASE_URL = "https://generativelanguage.googleapis.com"
GOOGLE_TASK_TYPE = "SEMANTIC_SIMILARITY"
"""Memories and the texts that recall them go through the same call, so one symmetric task type."""


def unit_vectors(raw: Sequence[Sequence[float]], expected: int, who: str) -> list[list[float]]:
    """``raw`` checked (one ``EMBEDDING_DIMENSIONS`` vector per text, finite, non-zero) and normalised."""
    if len(raw) != expected:
        raise EmbeddingError(f"{who} returned {len(raw)} vectors for {expected} texts")
    sizes = sorted({len(vector) for vector in raw})
    if sizes and sizes != [EMBEDDING_DIMENSIONS]:
        raise EmbeddingError(
            f"{who} returned vectors of size {', '.join(map(str, sizes))}, not {EMBEDDING_DIMENSIONS}: "
            f"choose a model that can shorten its vectors to {EMBEDDING_DIMENSIONS}"
        )
    array = np.asarray(raw, dtype=np.float64).reshape(expected, EMBEDDING_DIMENSIONS)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms == 0):
        raise EmbeddingError(f"{who} returned a zero or non-finite vector")
    unit: list[list[float]] = (array / norms).tolist()
    return unit


class OpenAIEmbedder:
    """Any OpenAI-compatible ``/embeddings`` endpoint through langchain-openai's ``OpenAIEmbeddings``."""

    def __init__(self, *, model: str, api_key: str, base_url: str | None, timeout: float, batch_size: int) -> None:
        self._model = model
        self._client = OpenAIEmbeddings(
            model=model,
            dimensions=EMBEDDING_DIMENSIONS,
            openai_api_key=SecretStr(api_key),
            openai_api_base=base_url,
            request_timeout=timeout,
            chunk_size=batch_size,
            # Send the texts as they are: the context-length check tokenizes with tiktoken, which
            # downloads its encoding tables on first use.
            check_embedding_ctx_length=False,
        )

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    @property
    def dimensions(self) -> int:
        return EMBEDDING_DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        who = f"OpenAI-compatible embeddings ({self._model})"
        try:
            raw = await self._client.aembed_documents(list(texts))
        except openai.APIStatusError as exc:
            raise EmbeddingError(f"{who} failed: HTTP {exc.status_code}") from exc
        except openai.APITimeoutError as exc:
            raise EmbeddingError(f"{who} timed out") from exc
        except openai.APIConnectionError as exc:
            raise EmbeddingError(f"{who} could not be reached") from exc
        return unit_vectors(raw, len(texts), who)


class GoogleEmbedder:
    """The Gemini API's ``batchEmbedContents`` over httpx.

    Not langchain-google-genai's ``GoogleGenerativeAIEmbeddings``: it offers no request timeout.
    """

    def __init__(self, *, model: str, api_key: str, base_url: str | None, timeout: float, batch_size: int) -> None:
        self._model = model.removeprefix("models/")
        self._api_key = api_key
        self._url = f"{(base_url or GOOGLE_BASE_URL).rstrip('/')}/v1beta/models/{self._model}:batchEmbedContents"
        self._timeout = timeout
        self._batch_size = batch_size

    @property
    def name(self) -> str:
        return f"google:{self._model}"

    @property
    def dimensions(self) -> int:
        return EMBEDDING_DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        vectors: list[list[float]] = []
        async with httpx.AsyncClient(timeout=self._timeout, headers={"x-goog-api-key": self._api_key}) as client:
            for start in range(0, len(texts), self._batch_size):
                vectors.extend(await self._batch(client, texts[start : start + self._batch_size]))
        return vectors

    async def _batch(self, client: httpx.AsyncClient, texts: Sequence[str]) -> list[list[float]]:
        who = f"Google embeddings ({self._model})"
        request = {
            "model": f"models/{self._model}",
            "taskType": GOOGLE_TASK_TYPE,
            "outputDimensionality": EMBEDDING_DIMENSIONS,
        }
        body = {"requests": [{**request, "content": {"parts": [{"text": text}]}} for text in texts]}
        try:
            response = await client.post(self._url, json=body)
        except httpx.TimeoutException as exc:
            raise EmbeddingError(f"{who} timed out after {self._timeout:g}s") from exc
        except httpx.HTTPError as exc:
            raise EmbeddingError(f"{who} could not be reached ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise EmbeddingError(f"{who} failed: HTTP {response.status_code}{_google_status(response)}")
        try:
            raw = [item["values"] for item in response.json()["embeddings"]]
        except (ValueError, KeyError, TypeError) as exc:
            raise EmbeddingError(f"{who} answered without embeddings") from exc
        return unit_vectors(raw, len(texts), who)


def _google_status(response: httpx.Response) -> str:
    """The API's status word (e.g. ``PERMISSION_DENIED``), never its message, which may quote input."""
    try:
        status: Any = response.json()["error"]["status"]
    except (ValueError, KeyError, TypeError):
        return ""
    return f" {status}" if isinstance(status, str) and status.isidentifier() else ""
