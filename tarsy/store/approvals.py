"""Approval rows: one per tool call that waits for a person, and the session's waiting state.

The approval row, not the graph's resume value, is the truth about a decision: the gate reads it
whenever its node runs, so restarts, several interrupts in one node and LangGraph's matching of
resume values to interrupts cannot disagree with what a person decided.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.store import jobs
from tarsy.store.db import Pool, Row

ApprovalStatus = Literal["pending", "approved", "rejected", "expired", "cancelled"]
Decision = Literal["approve", "reject"]
WAITING = "awaiting_approval"


@dataclass(frozen=True)
class NewApproval:
    session_id: str
    stage_id: str | None
    execution_id: str | None
    call_key: str
    agent_name: str
    stage_name: str | None
    tool: str
    arguments: dict[str, Any]
    reason: str
    on_timeout: str
    timeout_s: float


async def request(conn: AsyncConnection[DictRow], new: NewApproval) -> tuple[Row, bool]:
    """The approval of ``new.call_key``: inserted now (``True``) or the one already there (``False``)."""
    cur = await conn.execute(
        "INSERT INTO approvals (id, session_id, stage_id, execution_id, call_key, agent_name, stage_name, tool,"
        " arguments, reason, status, on_timeout, expires_at)"
        " VALUES (%s, %s, %s, %s, %s, %s, coalesce(%s, (SELECT name FROM stages WHERE id = %s::uuid)), %s, %s, %s,"
        " 'pending', %s, now() + make_interval(secs => %s))"
        " ON CONFLICT (call_key) DO NOTHING RETURNING *",
        (
            str(uuid.uuid4()),
            new.session_id,
            new.stage_id,
            new.execution_id,
            new.call_key,
            new.agent_name,
            new.stage_name,
            new.stage_id,
            new.tool,
            json.dumps(new.arguments, default=str),
            new.reason,
            new.on_timeout,
            new.timeout_s,
        ),
    )
    created = await cur.fetchone()
    if created is not None:
        return created, True
    existing = await by_key(conn, new.call_key)
    assert existing is not None
    return existing, False


async def by_key(conn: AsyncConnection[DictRow], call_key: str) -> Row | None:
    cur = await conn.execute("SELECT * FROM approvals WHERE call_key = %s", (call_key,))
    return await cur.fetchone()


async def find(pool: Pool, call_key: str) -> Row | None:
    async with pool.connection() as conn:
        return await by_key(conn, call_key)


async def get(conn: AsyncConnection[DictRow], session_id: str, approval_id: str, *, lock: bool = False) -> Row | None:
    suffix = " FOR UPDATE" if lock else ""
    cur = await conn.execute(
        "SELECT * FROM approvals WHERE id = %s AND session_id = %s" + suffix,  # static SQL
        (approval_id, session_id),
    )
    return await cur.fetchone()


async def for_session(pool: Pool, session_id: str, *, pending_only: bool = False) -> list[Row]:
    where = " AND status = 'pending'" if pending_only else ""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM approvals WHERE session_id = %s" + where + " ORDER BY requested_at, id",  # static SQL
            (session_id,),
        )
        return await cur.fetchall()


async def pending_by_session(pool: Pool, session_ids: list[str]) -> dict[str, int]:
    """How many approvals wait in each of ``session_ids`` (for the session list)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT session_id, count(*) AS n FROM approvals WHERE session_id = ANY(%s::uuid[]) AND status = 'pending'"
            " GROUP BY session_id",
            (session_ids,),
        )
        return {str(r["session_id"]): int(r["n"]) for r in await cur.fetchall()}


async def decide(
    conn: AsyncConnection[DictRow],
    approval_id: str,
    *,
    status: ApprovalStatus,
    by: str,
    comment: str | None,
) -> Row | None:
    """Decide a pending approval; None when it is no longer pending."""
    cur = await conn.execute(
        "UPDATE approvals SET status = %s, decided_by = %s, comment = %s, decided_at = now()"
        " WHERE id = %s AND status = 'pending' RETURNING *",
        (status, by, comment, approval_id),
    )
    return await cur.fetchone()


async def begin_run(pool: Pool, approval_id: str) -> bool:
    """Claim the one run of an approved call; False when a run already began (it never runs twice)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE approvals SET started_at = now() WHERE id = %s AND status = 'approved' AND started_at IS NULL"
            " RETURNING id",
            (approval_id,),
        )
        return await cur.fetchone() is not None


async def applied(pool: Pool, approval_id: str, result: str | None = None, is_error: bool | None = None) -> None:
    """A run acted on the decision: ran the approved call (with its result) or told the model no."""
    async with pool.connection() as conn:
        await conn.execute(
            "UPDATE approvals SET applied_at = coalesce(applied_at, now()), result = coalesce(%s, result),"
            " result_is_error = coalesce(%s, result_is_error) WHERE id = %s",
            (result, is_error, approval_id),
        )


async def expired(conn: AsyncConnection[DictRow], limit: int) -> list[Row]:
    """Pending approvals past their deadline, locked for the caller's transaction."""
    cur = await conn.execute(
        "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= now()"
        " ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED",
        (limit,),
    )
    return await cur.fetchall()


async def cancel_pending(conn: AsyncConnection[DictRow], session_id: str, by: str) -> list[Row]:
    cur = await conn.execute(
        "UPDATE approvals SET status = 'cancelled', decided_by = %s, decided_at = now(),"
        " comment = 'the session was cancelled' WHERE session_id = %s AND status = 'pending' RETURNING *",
        (by, session_id),
    )
    return await cur.fetchall()


async def unnotified(pool: Pool, session_id: str) -> list[Row]:
    """Pending approvals of the session not yet posted to Slack, marked as posted."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "UPDATE approvals SET notified_at = now() WHERE session_id = %s AND status = 'pending'"
            " AND notified_at IS NULL RETURNING *",
            (session_id,),
        )
        return await cur.fetchall()


async def model_context(pool: Pool, execution_id: str) -> tuple[int, str]:
    """How many model calls the execution has stored, and what its latest reply said (the reason)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) OVER () AS n, response, thinking FROM llm_interactions WHERE execution_id = %s"
            " ORDER BY created_at DESC, id DESC LIMIT 1",
            (execution_id,),
        )
        row = await cur.fetchone()
    if row is None:
        return 0, ""
    response = row["response"] or {}
    text = response.get("content") if isinstance(response, dict) else None
    if isinstance(text, list):
        text = " ".join(str(p.get("text", "")) for p in text if isinstance(p, dict))
    return int(row["n"]), str(text or row["thinking"] or "").strip()


async def lock_session(conn: AsyncConnection[DictRow], session_id: str) -> Row | None:
    cur = await conn.execute("SELECT * FROM alert_sessions WHERE id = %s FOR UPDATE", (session_id,))
    return await cur.fetchone()


async def park(conn: AsyncConnection[DictRow], session_id: str, worker_id: str) -> str | None:
    """End this worker's run of a session that waits for people: ``awaiting_approval``, or ``pending``
    again at once when a decision arrived during the run (it must be acted on). None: not owned."""
    session = await lock_session(conn, session_id)
    if session is None or session["worker_id"] != worker_id or session["status"] not in jobs.ACTIVE:
        return None
    if session["status"] == "cancelling":
        return "cancelling"  # someone asked to cancel during the run: the caller ends it instead
    cur = await conn.execute(
        "SELECT count(*) FILTER (WHERE status = 'pending') AS waiting,"
        " count(*) FILTER (WHERE status <> 'pending' AND applied_at IS NULL) AS unapplied"
        " FROM approvals WHERE session_id = %s",
        (session_id,),
    )
    counts = await cur.fetchone()
    assert counts is not None
    resume_now = int(counts["unapplied"]) > 0 or int(counts["waiting"]) == 0
    status = "pending" if resume_now else WAITING
    await conn.execute(
        "UPDATE alert_sessions SET status = %s, worker_id = NULL, heartbeat_at = NULL,"
        " parked_at = CASE WHEN %s = 'pending' THEN NULL ELSE now() END WHERE id = %s",
        (status, status, session_id),
    )
    return status


async def wake(conn: AsyncConnection[DictRow], session_id: str) -> bool:
    """After a decision: a session waiting for people becomes a resume job any worker claims."""
    session = await lock_session(conn, session_id)
    if session is None or session["status"] != WAITING:
        return False
    await conn.execute(
        "UPDATE alert_sessions SET approval_wait_s = approval_wait_s"
        " + coalesce(extract(epoch FROM now() - parked_at), 0), parked_at = NULL WHERE id = %s",
        (session_id,),
    )
    return await jobs.requeue(conn, "alert_sessions", session_id, from_status=WAITING)


async def cancel_waiting(conn: AsyncConnection[DictRow], session_id: str, by: str, *, status: str = WAITING) -> bool:
    """Cancel a session that waits for people (or, ``status='cancelling'``, one whose run just
    stopped at an approval after a cancel request): True when it did."""
    cur = await conn.execute(
        "UPDATE alert_sessions SET status = 'cancelled', completed_at = now(), parked_at = NULL, heartbeat_at = NULL,"
        " review_status = 'needs_review',"
        " error_message = 'cancelled while waiting for approval', cancelled_by = COALESCE(cancelled_by, %s)"
        " WHERE id = %s AND status = %s RETURNING id",
        (by, session_id, status),
    )
    return await cur.fetchone() is not None


async def close_open_records(conn: AsyncConnection[DictRow], session_id: str, status: str) -> list[Row]:
    """End the stages and executions a cancelled waiting session left open; the stages closed."""
    await conn.execute(
        "UPDATE timeline_events SET status = %s, updated_at = now() WHERE session_id = %s AND status = 'streaming'",
        (status, session_id),
    )
    await conn.execute(
        "UPDATE agent_executions SET status = %s, completed_at = now()"
        " WHERE session_id = %s AND status IN ('pending', 'active')",
        (status, session_id),
    )
    cur = await conn.execute(
        "UPDATE stages SET status = %s, completed_at = now() WHERE session_id = %s AND status IN ('pending', 'active')"
        " RETURNING id, stage_index, name, stage_type",
        (status, session_id),
    )
    return await cur.fetchall()


async def insert_timeline(
    conn: AsyncConnection[DictRow],
    *,
    session_id: str,
    stage_id: str | None,
    execution_id: str | None,
    event_type: str,
    content: str,
    metadata: dict[str, Any],
) -> Row:
    """A completed timeline event about an approval (its id and sequence)."""
    cur = await conn.execute(
        "INSERT INTO timeline_events (id, session_id, stage_id, execution_id, event_type, status, content, metadata)"
        " VALUES (%s, %s, %s, %s, %s, 'completed', %s, %s) RETURNING id, seq",
        (str(uuid.uuid4()), session_id, stage_id, execution_id, event_type, content, json.dumps(metadata)),
    )
    created = await cur.fetchone()
    assert created is not None
    return created
