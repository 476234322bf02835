"""Claiming and heartbeating job rows; sessions and chat messages are both such jobs.

A job row has ``status``, ``worker_id``, ``heartbeat_at``, ``started_at``, ``attempts`` and
``created_at``. A job is claimable when pending, or when it is active but its worker stopped
heartbeating (the worker died: the job is resumed from its checkpoint).
"""

from __future__ import annotations

from typing import Literal

from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow

from tarsy.store.db import Pool, Row

ACTIVE = ("in_progress", "cancelling")
JobTable = Literal["alert_sessions", "chat_messages"]


async def claim_oldest(
    conn: AsyncConnection[DictRow], table: JobTable, *, worker_id: str, stale_after_s: float
) -> Row | None:
    """Lock and take the oldest claimable job of ``table`` in one statement (atomic on its own, so
    no transaction is needed; inside the caller's, if it has one).

    Times are ``clock_timestamp()``, not the transaction's ``now()``: the caller may have waited on
    the claim lock, and a job created meanwhile must not appear to start before it was created.
    """
    cur = await conn.execute(
        sql.SQL(
            "WITH found AS (SELECT id FROM {table} WHERE status = 'pending'"
            " OR (status = ANY(%(active)s) AND heartbeat_at <= clock_timestamp() - make_interval(secs => %(stale)s))"
            " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
            " UPDATE {table} j SET status = CASE WHEN j.status = 'cancelling' THEN 'cancelling' ELSE 'in_progress'"
            " END, worker_id = %(worker)s, heartbeat_at = clock_timestamp(),"
            " started_at = coalesce(j.started_at, clock_timestamp()), attempts = j.attempts + 1"
            " FROM found WHERE j.id = found.id RETURNING j.*"
        ).format(table=sql.Identifier(table)),
        {"active": list(ACTIVE), "stale": stale_after_s, "worker": worker_id},
    )
    return await cur.fetchone()


async def heartbeat(pool: Pool, table: JobTable, job_id: str, worker_id: str) -> str | None:
    """Refresh the heartbeat; the current status, or None if this worker no longer owns the job."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            sql.SQL(
                "UPDATE {} SET heartbeat_at = now() WHERE id = %s AND worker_id = %s AND status = ANY(%s)"
                " RETURNING status"
            ).format(sql.Identifier(table)),
            (job_id, worker_id, list(ACTIVE)),
        )
        row = await cur.fetchone()
    return str(row["status"]) if row else None


async def requeue(conn: AsyncConnection[DictRow], table: JobTable, job_id: str, *, from_status: str) -> bool:
    """Make a job that no worker owns (e.g. one that waited for a person) claimable again: its resume job."""
    cur = await conn.execute(
        sql.SQL(
            "UPDATE {} SET status = 'pending', worker_id = NULL, heartbeat_at = NULL WHERE id = %s AND status = %s"
            " RETURNING id"
        ).format(sql.Identifier(table)),
        (job_id, from_status),
    )
    return await cur.fetchone() is not None
