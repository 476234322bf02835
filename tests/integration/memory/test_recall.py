"""Hybrid recall against the real PostgreSQL with pgvector: the HNSW candidates, the hard filters
(project, alert type, embedding model, status) and the keyword re-rank (docs/memory.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tarsy.config.memory import MemoryConfig, MemoryRetrievalConfig
from tarsy.memory.service import MemoryService
from tarsy.store import memories as store
from tarsy.store import sessions
from tarsy.store.db import Pool, open_pool
from tests.support.fakes.embedder import HashingEmbedder

pytestmark = [pytest.mark.integration]


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await open_pool(database_url, min_size=1, max_size=2)
    try:
        yield opened
    finally:
        await opened.close()


def service(pool: Pool, **retrieval: float) -> MemoryService:
    config = MemoryConfig(enabled=True, retrieval=MemoryRetrievalConfig(**{"similarity_threshold": 0.2, **retrieval}))
    return MemoryService(pool, HashingEmbedder(), config, lambda text: text.replace("hunter2", "[MASKED]"))


async def add(
    pool: Pool,
    content: str,
    *,
    alert_type: str | None = "kubernetes",
    project: str = "default",
    model: str = "fake:hashed-words",
    confidence: float = 0.6,
) -> str:
    new = store.NewMemory(
        project=project,
        alert_type=alert_type,
        chain_id=None,
        category="root_cause",
        content=content,
        confidence=confidence,
        vector=HashingEmbedder.vector(content),
        embedding_model=model,
        source_session_id=None,
        created_by="test",
    )
    async with pool.connection() as conn:
        row = await store.insert_memory(conn, new)
    return str(row["id"])


async def new_session(pool: Pool) -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with pool.connection() as conn:
        row = await sessions.insert_session(conn, new)
    return str(row["id"])


async def test_the_memory_about_the_same_thing_ranks_first(pool: Pool) -> None:
    oom = await add(pool, "pods of api restart with OOMKilled when the memory limit is below 512Mi")
    await add(pool, "disk pressure on nodes evicts pods when the image cache fills the disk")
    await add(pool, "certificate expiry makes the ingress return 503 for every request")
    ranked = await service(pool).search("pod api OOMKilled restarts memory limit", "kubernetes")
    assert ranked[0].id == oom
    assert ranked[0].memory.similarity > 0.5
    assert all(r.memory.similarity >= 0.2 for r in ranked)


async def test_recall_is_scoped_to_project_alert_type_model_and_active_memories(pool: Pool) -> None:
    text = "pods of api restart with OOMKilled"
    mine = await add(pool, text)
    any_type = await add(pool, text + " again", alert_type=None)
    await add(pool, text, alert_type="database")
    await add(pool, text, project="other")
    await add(pool, text, model="local:all-MiniLM-L6-v2")
    gone = await add(pool, text + " once more")
    async with pool.connection() as conn:
        assert await store.deprecate(conn, gone, "default", "wrong", "test")
    ranked = await service(pool).search(text, "kubernetes")
    assert {r.id for r in ranked} == {mine, any_type}


async def test_keywords_re_rank_but_never_admit(pool: Pool) -> None:
    # The fake embedder ignores one-letter words and full-text search does not: equal vectors, so
    # only the keyword part can put the memory that also holds "q" first.
    other = await add(pool, "restart loop exit 137 OOMKilled api z")
    keyword = await add(pool, "restart loop exit 137 OOMKilled api q")
    unrelated = await add(pool, "OOMKilled")
    query = "restart loop exit 137 OOMKilled api q"
    ranked = await service(pool, similarity_threshold=0.9, keyword_weight=0.5).search(query, "kubernetes")
    assert [r.id for r in ranked] == [keyword, other]  # "OOMKilled" alone matches a word, but is not similar
    assert ranked[0].memory.similarity == pytest.approx(ranked[1].memory.similarity)
    flat = await service(pool, similarity_threshold=0.9, keyword_weight=0.0).search(query, "kubernetes")
    assert flat[0].score == pytest.approx(flat[1].score)
    assert unrelated not in {r.id for r in flat}


async def test_injection_is_recorded_and_a_resumed_run_gets_the_same_memories(pool: Pool) -> None:
    first = await add(pool, "pods of api restart with OOMKilled")
    session_id = await new_session(pool)
    memory = service(pool)
    injected = await memory.inject(session_id, "kubernetes", "api OOMKilled")
    assert [r.id for r in injected.memories] == [first] and injected.fresh
    await add(pool, "api OOMKilled again and again")  # would rank now, but the session had its memories
    again = await memory.inject(session_id, "kubernetes", "api OOMKilled")
    assert [r.id for r in again.memories] == [first] and not again.fresh
    rows = await store.injected(pool, session_id)
    assert [str(r["id"]) for r in rows] == [first] and rows[0]["last_used_at"] is not None


async def test_an_embedder_failure_means_no_memories_not_a_failed_session(pool: Pool) -> None:
    await add(pool, "pods of api restart with OOMKilled")
    memory = service(pool)
    assert isinstance(memory.embedder, HashingEmbedder)
    memory.embedder.fail = True
    assert (await memory.inject(await new_session(pool), "kubernetes", "api OOMKilled")).memories == []


async def test_the_nearest_neighbour_scan_can_use_the_hnsw_index(pool: Pool) -> None:
    for i in range(5):
        await add(pool, f"memory number {i} about pods")
    vector = store.vector_literal(HashingEmbedder.vector("pods"))
    async with pool.connection() as conn, conn.transaction():
        # A handful of rows is cheaper to sort; with sorting off only the HNSW index can give the order.
        await conn.execute("SET LOCAL enable_seqscan = off")
        await conn.execute("SET LOCAL enable_sort = off")
        cur = await conn.execute(
            "EXPLAIN SELECT m.id FROM memories m WHERE m.project = 'default' AND m.status = 'active'"
            " ORDER BY m.embedding <=> %s::vector LIMIT 20",
            (vector,),
        )
        plan = "\n".join(str(r["QUERY PLAN"]) for r in await cur.fetchall())
    assert "memories_embedding" in plan, plan
