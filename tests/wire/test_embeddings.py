"""Memory's provider embedders through the real clients (langchain-openai, httpx) against a fake server."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator

import pytest

from tarsy.config.embedding import EmbeddingConfig
from tarsy.memory.embedders import build_embedder
from tarsy.memory.embeddings import Embedder, EmbeddingError
from tests.wire.fake_embeddings import Error, FakeEmbeddings, Stall, Vectors, vector_for

pytestmark = [pytest.mark.integration]

KEY = "sk-test-0123456789abcdef"
TEXTS = ["pod web-0 OOMKilled", "payments-api-6d8f7c9b5d-x2k4q CrashLoopBackOff", "disk 95% on node-3"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeEmbeddings]:
    async with FakeEmbeddings().serving() as fake:
        yield fake


def embedder(fake: FakeEmbeddings, backend: str, **settings: object) -> Embedder:
    base_url = f"{fake.base_url}/v1" if backend == "openai" else fake.base_url
    config = EmbeddingConfig.model_validate({"backend": backend, "base_url": base_url, **settings})
    return build_embedder(config, env={"TEST_EMBEDDING_KEY": KEY, "OPENAI_API_KEY": KEY, "GOOGLE_API_KEY": KEY})


def assert_unit_vectors_of(vectors: list[list[float]], texts: list[str]) -> None:
    assert len(vectors) == len(texts)
    for vector, text in zip(vectors, texts, strict=True):
        assert len(vector) == 384
        assert math.isclose(math.fsum(v * v for v in vector), 1.0, rel_tol=1e-9)
        expected = vector_for(text, 384)
        norm = math.sqrt(math.fsum(v * v for v in expected))
        assert vector == pytest.approx([v / norm for v in expected], rel=1e-6)


async def test_openai_asks_for_384_dimensions_in_batches(fake: FakeEmbeddings) -> None:
    fake.play(Vectors(), Vectors())
    model = embedder(fake, "openai", model="text-embedding-3-small", batch_size=2)
    assert model.name == "openai:text-embedding-3-small"

    vectors = await model.embed(TEXTS)

    assert_unit_vectors_of(vectors, TEXTS)
    assert [r.path for r in fake.requests] == ["/v1/embeddings", "/v1/embeddings"]
    assert {r.headers["authorization"] for r in fake.requests} == {f"Bearer {KEY}"}
    assert [r.body["input"] for r in fake.requests] == [TEXTS[:2], TEXTS[2:]]
    assert {(r.body["model"], r.body["dimensions"]) for r in fake.requests} == {("text-embedding-3-small", 384)}


async def test_openai_key_from_the_configured_variable_and_errors_without_it(fake: FakeEmbeddings) -> None:
    fake.play(Vectors())
    model = embedder(fake, "openai", api_key_env="TEST_EMBEDDING_KEY")
    await model.embed(["one"])
    assert fake.requests[0].headers["authorization"] == f"Bearer {KEY}"

    config = EmbeddingConfig(backend="openai", api_key_env="UNSET_EMBEDDING_KEY")
    with pytest.raises(EmbeddingError, match="UNSET_EMBEDDING_KEY, which is not set"):
        build_embedder(config, env={})


async def test_openai_error_names_provider_and_status_not_the_key(fake: FakeEmbeddings) -> None:
    fake.play(Error(401, {"error": {"message": f"Incorrect API key provided: {KEY}", "type": "invalid_request"}}))
    model = embedder(fake, "openai", model="text-embedding-3-small")

    with pytest.raises(EmbeddingError) as caught:
        await model.embed(["x"])

    assert "OpenAI-compatible embeddings (text-embedding-3-small) failed: HTTP 401" in caught.value.message
    assert KEY not in caught.value.message


async def test_openai_wrong_size_names_model_and_size(fake: FakeEmbeddings) -> None:
    fake.play(Vectors(size=1536))
    model = embedder(fake, "openai", model="text-embedding-ada-002")

    with pytest.raises(EmbeddingError, match=r"\(text-embedding-ada-002\) returned vectors of size 1536, not 384"):
        await model.embed(["x"])


async def test_google_asks_for_384_dimensions_in_batches(fake: FakeEmbeddings) -> None:
    fake.play(Vectors(), Vectors())
    model = embedder(fake, "google", model="gemini-embedding-001", batch_size=2)
    assert model.name == "google:gemini-embedding-001"

    vectors = await model.embed(TEXTS)

    assert_unit_vectors_of(vectors, TEXTS)
    assert {r.path for r in fake.requests} == {"/v1beta/models/gemini-embedding-001:batchEmbedContents"}
    assert {r.headers["x-goog-api-key"] for r in fake.requests} == {KEY}
    assert "authorization" not in fake.requests[0].headers
    sent = [[q["content"]["parts"][0]["text"] for q in r.body["requests"]] for r in fake.requests]
    assert sent == [TEXTS[:2], TEXTS[2:]]
    each = [q for r in fake.requests for q in r.body["requests"]]
    assert {(q["model"], q["outputDimensionality"], q["taskType"]) for q in each} == {
        ("models/gemini-embedding-001", 384, "SEMANTIC_SIMILARITY")
    }


async def test_google_error_names_status_not_the_message(fake: FakeEmbeddings) -> None:
    body = {"error": {"code": 403, "message": f"API key {KEY} not valid", "status": "PERMISSION_DENIED"}}
    fake.play(Error(403, body))
    model = embedder(fake, "google", model="gemini-embedding-001")

    with pytest.raises(EmbeddingError) as caught:
        await model.embed(["x"])

    assert caught.value.message == "Google embeddings (gemini-embedding-001) failed: HTTP 403 PERMISSION_DENIED"


async def test_google_wrong_size_and_timeout(fake: FakeEmbeddings) -> None:
    fake.play(Vectors(size=768), Stall(1.5))
    model = embedder(fake, "google", model="gemini-embedding-001", timeout_seconds=0.3)

    with pytest.raises(EmbeddingError, match=r"\(gemini-embedding-001\) returned vectors of size 768, not 384"):
        await model.embed(["x"])
    with pytest.raises(EmbeddingError, match=r"timed out after 0\.3s"):
        await model.embed(["x"])


async def test_nothing_to_embed_sends_nothing(fake: FakeEmbeddings) -> None:
    for backend in ("openai", "google"):
        assert await embedder(fake, backend).embed([]) == []
    assert fake.requests == []
