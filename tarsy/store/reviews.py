"""Review state of ended sessions and its audit log (docs/review.md); the rules live in
``tarsy.runtime.review_rules``, this module only reads and writes rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.store.db import Pool, Row


@dataclass(frozen=True)
class ReviewState:
    """The review columns of a session row."""

    review_status: str | None
    assignee: str | None
    quality_rating: str | None
    reviewed_at: datetime | None
    reviewed_by: str | None


@dataclass(frozen=True)
class ReviewWrite:
    """One audited transition: the new state (``None``: unchanged, for feedback) and the audit fields."""

    action: str
    actor: str
    from_status: str | None
    new: ReviewState | None
    comment: str | None


async def lock_review(conn: AsyncConnection[DictRow], session_id: str) -> ReviewState | None:
    """Inside the caller's transaction: lock the session row and read its review state (None: no such session)."""
    cur = await conn.execute(
        "SELECT review_status, assignee, quality_rating, reviewed_at, reviewed_by FROM alert_sessions"
        " WHERE id = %s FOR UPDATE",
        (session_id,),
    )
    row = await cur.fetchone()
    return None if row is None else ReviewState(**row)


async def write_review(conn: AsyncConnection[DictRow], session_id: str, write: ReviewWrite) -> Row:
    """Inside the caller's transaction: apply the new state (if any) and append the audit row; the audit row."""
    state = write.new
    if state is not None:
        await conn.execute(
            "UPDATE alert_sessions SET review_status = %s, assignee = %s, quality_rating = %s,"
            " reviewed_at = %s, reviewed_by = %s WHERE id = %s",
            (
                state.review_status,
                state.assignee,
                state.quality_rating,
                state.reviewed_at,
                state.reviewed_by,
                session_id,
            ),
        )
    to_status = write.from_status if state is None else state.review_status
    cur = await conn.execute(
        "INSERT INTO session_review_events"
        " (session_id, action, actor, from_status, to_status, assignee, quality_rating, comment)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (
            session_id,
            write.action,
            write.actor,
            write.from_status,
            to_status,
            None if state is None else state.assignee,
            None if state is None else state.quality_rating,
            write.comment,
        ),
    )
    row = await cur.fetchone()
    assert row is not None
    return row


async def review_events(pool: Pool, session_id: str) -> list[Row]:
    """The audit log of one session, oldest first."""
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM session_review_events WHERE session_id = %s ORDER BY id", (session_id,))
        return await cur.fetchall()
