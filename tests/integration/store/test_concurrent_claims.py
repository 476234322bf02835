"""Two workers claiming at once on real PostgreSQL: never both win, and a held claim is skipped.

A is a worker whose claim is still in its open transaction (``jobs.claim_oldest`` inside a
transaction the test holds); B is another replica calling the public claim function on its own
connection. Nothing here relies on the sessions' advisory lock: A never takes it, so only the
row locks (``FOR UPDATE SKIP LOCKED``) keep the two apart, for sessions and chat messages alike.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow, dict_row

from tarsy.store import chats, jobs, sessions
from tarsy.store.db import Pool, Row, open_pool
from tarsy.store.jobs import JobTable

pytestmark = [pytest.mark.integration]

Claim = Callable[[Pool], Awaitable[Row | None]]


async def _claim_session(pool: Pool) -> Row | None:
    return await sessions.claim_next(pool, worker_id="B", max_concurrent=100, stale_after_s=60)


async def _claim_chat(pool: Pool) -> Row | None:
    return await chats.claim_next(pool, worker_id="B", stale_after_s=60)


CLAIMS: dict[JobTable, Claim] = {"alert_sessions": _claim_session, "chat_messages": _claim_chat}


@pytest_asyncio.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await open_pool(database_url, min_size=1, max_size=4)
    try:
        yield opened
    finally:
        await opened.close()


async def _new_session(pool: Pool) -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with pool.connection() as conn:
        row = await sessions.insert_session(conn, new)
    return str(row["id"])


async def _pending_job(pool: Pool, table: JobTable) -> str:
    """A pending job of ``table`` (created in its own transaction, so each has its own created_at)."""
    session_id = await _new_session(pool)
    if table == "alert_sessions":
        return session_id
    async with pool.connection() as conn:
        await conn.execute("UPDATE alert_sessions SET status = 'completed' WHERE id = %s", (session_id,))
        message = await chats.add_message(conn, session_id, "t", "why?")
    return str(message["id"])


async def _waiting_on_a_lock(url: str) -> bool:
    async with await AsyncConnection.connect(url) as conn:
        cur = await conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        row = await cur.fetchone()
    return row is not None and int(row[0]) > 0


async def _race(database_url: str, pool: Pool, table: JobTable, *, commit_a_first: bool) -> tuple[str, Row | None]:
    """A claims and holds its transaction open while B claims; returns (A's job id, B's claim).

    With ``commit_a_first`` A commits once B has either finished or is blocked behind A's lock, so a
    B that waited instead of skipping gets to run to the end and show what it took.
    """
    async with await AsyncConnection.connect(database_url, row_factory=dict_row) as a_conn:
        conn: AsyncConnection[DictRow] = a_conn
        async with conn.transaction():
            claimed_by_a = await jobs.claim_oldest(conn, table, worker_id="A", stale_after_s=60)
            assert claimed_by_a is not None
            b = asyncio.create_task(CLAIMS[table](pool))
            for _ in range(1000):
                if b.done() or await _waiting_on_a_lock(database_url):
                    break
                await asyncio.sleep(0.01)
            blocked = not b.done()
            if blocked and not commit_a_first:
                b.cancel()
                raise AssertionError(f"B waited for A's row lock on {table} instead of skipping the claimed row")
        claimed_by_b = await asyncio.wait_for(b, timeout=30)
    return str(claimed_by_a["id"]), claimed_by_b


@pytest.mark.parametrize("table", list(CLAIMS))
async def test_a_claimed_row_is_skipped_and_the_next_one_taken(database_url: str, pool: Pool, table: JobTable) -> None:
    first = await _pending_job(pool, table)
    second = await _pending_job(pool, table)

    claimed_by_a, claimed_by_b = await _race(database_url, pool, table, commit_a_first=False)

    assert claimed_by_a == first
    assert claimed_by_b is not None and str(claimed_by_b["id"]) == second
    assert claimed_by_b["worker_id"] == "B"


@pytest.mark.parametrize("table", list(CLAIMS))
async def test_two_claims_of_the_only_row_never_both_win(database_url: str, pool: Pool, table: JobTable) -> None:
    only = await _pending_job(pool, table)

    claimed_by_a, claimed_by_b = await _race(database_url, pool, table, commit_a_first=True)

    assert claimed_by_a == only
    assert claimed_by_b is None, f"both claims won {table} row {only}"
    async with pool.connection() as conn:
        query = sql.SQL("SELECT worker_id, attempts FROM {} WHERE id = %s").format(sql.Identifier(table))
        cur = await conn.execute(query, (only,))
        row = await cur.fetchone()
    assert row is not None and (row["worker_id"], row["attempts"]) == ("A", 1)


async def test_concurrent_claims_never_run_more_sessions_than_the_limit(database_url: str) -> None:
    wide = await open_pool(database_url, min_size=8, max_size=8)
    try:
        async with wide.connection() as conn:  # other tests' sessions must not count as running
            await conn.execute("UPDATE alert_sessions SET status = 'completed' WHERE status <> 'completed'")
        for _ in range(8):
            await _new_session(wide)
        claims = await asyncio.gather(
            *(sessions.claim_next(wide, worker_id=f"w{n}", max_concurrent=3, stale_after_s=60) for n in range(8))
        )
        claimed = [c for c in claims if c is not None]
        assert len(claimed) == 3, "the claim lock makes each count see the claims committed before it"
        assert len({c["id"] for c in claimed}) == 3 and all(c["status"] == "in_progress" for c in claimed)
        assert await sessions.claim_next(wide, worker_id="late", max_concurrent=3, stale_after_s=60) is None
        assert await sessions.claim_next(wide, worker_id="late", max_concurrent=4, stale_after_s=60) is not None
    finally:
        await wide.close()
