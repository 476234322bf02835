"""Every way a session ends marks it ``needs_review`` in the same statement (docs/review.md), and
a running session has no review status at all."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from tarsy.store import approvals, sessions
from tarsy.store.db import Pool, open_pool

pytestmark = [pytest.mark.integration]


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await open_pool(database_url, min_size=1, max_size=2)
    try:
        yield opened
    finally:
        await opened.close()


async def _session(pool: Pool, status: str = "pending") -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with pool.connection() as conn:
        row = await sessions.insert_session(conn, new)
        await conn.execute("UPDATE alert_sessions SET status = %s, worker_id = 'w' WHERE id = %s", (status, row["id"]))
    return str(row["id"])


async def _review_status(pool: Pool, session_id: str) -> str | None:
    row = await sessions.get_session(pool, session_id)
    assert row is not None
    return row["review_status"]


@pytest.mark.parametrize("status", ["completed", "failed", "timed_out", "cancelled"])
async def test_the_runner_finishing_a_session_marks_it_for_review(pool: Pool, status: str) -> None:
    session_id = await _session(pool, "in_progress")
    assert await _review_status(pool, session_id) is None
    async with pool.connection() as conn:
        assert await sessions.finish_session(conn, session_id, "w", status=status)
    assert await _review_status(pool, session_id) == "needs_review"


async def test_cancelling_a_queued_session_marks_it_but_a_cancel_request_on_a_running_one_does_not(pool: Pool) -> None:
    queued, running = await _session(pool), await _session(pool, "in_progress")
    async with pool.connection() as conn:
        assert await sessions.request_cancel(conn, queued, "otto") == "cancelled"
        assert await sessions.request_cancel(conn, running, "otto") == "cancelling"
    assert await _review_status(pool, queued) == "needs_review"
    assert await _review_status(pool, running) is None  # it ends (and is marked) when its worker stops


async def test_cancelling_a_session_that_waits_for_approval_marks_it(pool: Pool) -> None:
    session_id = await _session(pool, approvals.WAITING)
    async with pool.connection() as conn:
        assert await approvals.cancel_waiting(conn, session_id, "otto")
    assert await _review_status(pool, session_id) == "needs_review"
