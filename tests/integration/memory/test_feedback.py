"""Review feedback moves the confidence of the memories a session produced or used, by the table
of docs/memory.md, clamped, deprecating below the floor; audited with who (updated_by)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tarsy.events.publisher import EventPublisher
from tarsy.runtime.review_rules import ReviewAsk
from tarsy.runtime.reviews import apply_review
from tarsy.store import memories as store
from tarsy.store import memory_admin, sessions
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


async def ended_session(pool: Pool) -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with pool.connection() as conn:
        sid = str((await sessions.insert_session(conn, new))["id"])
        await conn.execute("UPDATE alert_sessions SET status = 'in_progress', worker_id = 'w' WHERE id = %s", (sid,))
        assert await sessions.finish_session(conn, sid, "w", status="completed")
    return sid


async def memory(pool: Pool, confidence: float, session_id: str | None = None, kind: str | None = None) -> str:
    new = store.NewMemory(
        "default",
        "kubernetes",
        None,
        "pitfall",
        f"lesson {confidence}",
        confidence,
        HashingEmbedder.vector("lesson"),
        "fake",
        None,
        "tarsy",
    )
    async with pool.connection() as conn:
        mid = str((await store.insert_memory(conn, new))["id"])
        if session_id is not None and kind is not None:
            await store.record_uses(conn, session_id, [store.Use(mid, kind)])  # type: ignore[arg-type]
    return mid


async def confidence_and_status(pool: Pool, memory_id: str) -> tuple[float, str, str]:
    row = await memory_admin.get_memory(pool, memory_id)
    assert row is not None
    return round(float(row["confidence"]), 4), row["status"], row["updated_by"]


async def review(pool: Pool, sid: str, action: str, rating: str | None = None, comment: str | None = None) -> None:
    ask = ReviewAsk(action, "rita", rating)  # type: ignore[arg-type]
    [outcome] = await apply_review(pool, EventPublisher(pool), [sid], ask, comment, confidence_floor=0.2)
    assert outcome.ok, outcome.message


async def test_an_accurate_rating_raises_produced_more_than_used(pool: Pool) -> None:
    sid = await ended_session(pool)
    produced = await memory(pool, 0.6, sid, "created")
    used = await memory(pool, 0.6, sid, "injected")
    both = await memory(pool, 0.95, sid, "recalled")
    await store.record_uses_now(pool, sid, [store.Use(both, "reinforced")])
    untouched = await memory(pool, 0.6)
    await review(pool, sid, "complete", "accurate")
    assert await confidence_and_status(pool, produced) == (0.7, "active", "rita")
    assert await confidence_and_status(pool, used) == (0.65, "active", "rita")
    assert await confidence_and_status(pool, both) == (1.0, "active", "rita")  # produced wins; clamped at 1
    assert await confidence_and_status(pool, untouched) == (0.6, "active", "tarsy")


async def test_inaccurate_deprecates_below_the_floor_and_feedback_nudges(pool: Pool) -> None:
    sid = await ended_session(pool)
    weak = await memory(pool, 0.45, sid, "created")
    used = await memory(pool, 0.5, sid, "injected")
    await review(pool, sid, "feedback", comment="the limit was not the cause")
    assert (await confidence_and_status(pool, weak))[:2] == (0.4, "active")
    assert (await confidence_and_status(pool, used))[:2] == (0.5, "active")
    await review(pool, sid, "complete", "inaccurate")
    assert (await confidence_and_status(pool, weak))[:2] == (0.1, "deprecated")
    assert (await confidence_and_status(pool, used))[:2] == (0.35, "active")
    row = await memory_admin.get_memory(pool, weak)
    assert row is not None and "floor" in row["deprecated_reason"]


async def test_claims_and_acknowledgements_leave_memories_alone(pool: Pool) -> None:
    sid = await ended_session(pool)
    produced = await memory(pool, 0.6, sid, "created")
    await review(pool, sid, "claim")
    await review(pool, sid, "acknowledge")
    assert await confidence_and_status(pool, produced) == (0.6, "active", "tarsy")
