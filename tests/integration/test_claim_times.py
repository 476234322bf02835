"""A claim that waited (on the claim lock) does not start a session before it was created.

``claim_next`` takes ``pg_advisory_xact_lock`` inside its transaction; with the transaction's
``now()`` a session created while the claim waited got ``started_at < created_at`` and a negative
``queue_ms``. Claims use ``clock_timestamp()``.
"""

from __future__ import annotations

from tarsy.store import jobs
from tarsy.store import sessions as repo
from tarsy.store.db import open_pool


async def test_a_session_created_during_a_claim_transaction_starts_after_its_creation(database_url: str) -> None:
    pool = await open_pool(database_url, min_size=2, max_size=2)
    try:
        async with pool.connection() as claimer, claimer.transaction():
            await claimer.execute("SELECT now()")  # the claim transaction has begun: its now() is fixed
            async with pool.connection() as submitter:
                new = repo.NewSession(
                    alert_type="kubernetes", chain_id="kubernetes", alert_data={"a": 1}, runbook_url=None, author="t"
                )
                created = await repo.insert_session(submitter, new)
            claimed = await jobs.claim_oldest(claimer, "alert_sessions", worker_id="w", stale_after_s=30)
        assert claimed is not None and claimed["id"] == created["id"]
        assert claimed["started_at"] >= claimed["created_at"]
        assert claimed["heartbeat_at"] >= claimed["created_at"]
    finally:
        await pool.close()
