"""Session rows: creation, the queue (claim / heartbeat / finish) and reads."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncClientCursor, AsyncConnection
from psycopg.rows import DictRow

from tarsy.store import jobs
from tarsy.store.db import Pool, Row
from tarsy.store.events import READ_PAYLOADS
from tarsy.store.jobs import ACTIVE

_CLAIM_LOCK = 0x7A75_0C1A  # serializes claims so the global concurrency limit is exact


@dataclass(frozen=True)
class NewSession:
    alert_type: str
    chain_id: str
    alert_data: Any
    runbook_url: str | None
    author: str
    alert_masking_error: str | None = None
    fingerprint: str | None = None
    slack_message_fingerprint: str | None = None
    mcp_selection: dict[str, Any] | None = None
    session_id: str | None = None  # chosen by the caller (a LangGraph thread id); else a new uuid


async def insert_session(conn: AsyncConnection[DictRow], new: NewSession) -> Row:
    cur = await conn.execute(
        "INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, runbook_url, author,"
        " alert_masking_error, fingerprint, slack_message_fingerprint, mcp_selection)"
        " VALUES (%s, %s, %s, 'pending', %s, %s, %s, %s, %s, %s, %s) RETURNING *",
        (
            new.session_id or str(uuid.uuid4()),
            new.alert_type,
            new.chain_id,
            json.dumps(new.alert_data),
            new.runbook_url,
            new.author,
            new.alert_masking_error,
            new.fingerprint,
            new.slack_message_fingerprint,
            None if new.mcp_selection is None else json.dumps(new.mcp_selection),
        ),
    )
    row = await cur.fetchone()
    assert row is not None
    return row


_OPEN = "('pending', 'in_progress', 'cancelling', 'awaiting_approval')"


@dataclass(frozen=True)
class FirstEvent:
    """The event a new session is announced with, stored and NOTIFYed by the same statement."""

    event_type: str
    payload: str  # JSON text of the whole payload (``tarsy.events.publisher.build_payload``)
    channel: str
    max_notify_bytes: int


# One round trip and one implicit transaction for an alert: the queue-room check, the session row,
# its first event in the replay log and the NOTIFY that announces it (the same envelope
# ``EventPublisher`` sends: id, session_id, type, data; or ``truncated`` when too big for NOTIFY).
_INSERT_PENDING = (
    "WITH room AS (SELECT %(cap)s::int IS NULL OR (SELECT count(*) FROM (SELECT 1 FROM alert_sessions"
    " WHERE status = 'pending' LIMIT %(cap)s::int) AS p) < %(cap)s::int AS ok),"
    " s AS (INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, runbook_url, author,"
    " alert_masking_error, fingerprint, slack_message_fingerprint, mcp_selection)"
    " SELECT %(id)s, %(alert_type)s, %(chain_id)s, 'pending', %(alert_data)s::jsonb, %(runbook_url)s, %(author)s,"
    " %(masking_error)s, %(fingerprint)s, %(slack)s, %(mcp)s::jsonb FROM room WHERE room.ok"
    " RETURNING id, alert_type, chain_id, status, created_at),"
    " e AS (INSERT INTO events (session_id, event_type, payload) SELECT s.id, %(event_type)s, %(payload)s::jsonb"
    " FROM s RETURNING id, session_id, event_type),"
    " n AS (SELECT e.id, e.session_id, e.event_type, json_build_object('id', e.id, 'session_id', e.session_id,"
    " 'type', e.event_type, 'data', %(payload)s::json)::text AS envelope FROM e)"
    " SELECT s.*, pg_notify(%(channel)s, CASE WHEN octet_length(n.envelope) <= %(max_notify)s THEN n.envelope"
    " ELSE json_build_object('id', n.id, 'session_id', n.session_id, 'type', n.event_type, 'truncated', true)::text"
    " END) IS NULL AS notified FROM s JOIN n ON n.session_id = s.id"
)


async def insert_pending_session(
    conn: AsyncConnection[DictRow], session_id: str, new: NewSession, event: FirstEvent, *, max_pending: int | None
) -> Row | None:
    """Queue a session and announce it in one statement; None (nothing stored) while ``max_pending``
    sessions already wait. Returns ``id``, ``alert_type``, ``chain_id``, ``status`` and ``created_at``.

    Raises ``UniqueViolation`` when ``new.fingerprint`` already has an open session.
    """
    cur = await conn.execute(
        _INSERT_PENDING,
        {
            "cap": max_pending,
            "id": session_id,
            "alert_type": new.alert_type,
            "chain_id": new.chain_id,
            "alert_data": json.dumps(new.alert_data),
            "runbook_url": new.runbook_url,
            "author": new.author,
            "masking_error": new.alert_masking_error,
            "fingerprint": new.fingerprint,
            "slack": new.slack_message_fingerprint,
            "mcp": None if new.mcp_selection is None else json.dumps(new.mcp_selection),
            "event_type": event.event_type,
            "payload": event.payload,
            "channel": event.channel,
            "max_notify": event.max_notify_bytes,
        },
    )
    row = await cur.fetchone()
    if row is not None:
        del row["notified"]
    return row


async def insert_sessions(conn: AsyncConnection[DictRow], news: list[NewSession]) -> list[Row]:
    """Insert many pending sessions in one statement; returns the inserted rows (``id``,
    ``fingerprint``, ``alert_type``, ``chain_id``).

    A session whose fingerprint already has an open session (or repeats an earlier one of the same
    batch) is left out: the caller finds those with ``open_sessions_for_fingerprints``.
    """
    if not news:
        return []
    cur = await conn.execute(
        "INSERT INTO alert_sessions (id, alert_type, chain_id, status, alert_data, runbook_url, author,"
        " alert_masking_error, fingerprint)"
        " SELECT id, alert_type, chain_id, 'pending', alert_data::jsonb, runbook_url, author,"
        " alert_masking_error, fingerprint"
        " FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
        " AS t(id, alert_type, chain_id, alert_data, runbook_url, author, alert_masking_error, fingerprint)"
        f" ON CONFLICT (fingerprint) WHERE fingerprint IS NOT NULL AND status IN {_OPEN} DO NOTHING"
        " RETURNING id, fingerprint, alert_type, chain_id",
        (
            [str(uuid.uuid4()) for _ in news],
            [n.alert_type for n in news],
            [n.chain_id for n in news],
            [json.dumps(n.alert_data) for n in news],
            [n.runbook_url for n in news],
            [n.author for n in news],
            [n.alert_masking_error for n in news],
            [n.fingerprint for n in news],
        ),
    )
    return await cur.fetchall()


async def open_sessions_for_fingerprints(conn: AsyncConnection[DictRow], fingerprints: list[str]) -> dict[str, str]:
    """fingerprint → id of its open session, for those that have one."""
    cur = await conn.execute(
        f"SELECT id, fingerprint FROM alert_sessions WHERE fingerprint = ANY(%s) AND status IN {_OPEN}",
        (fingerprints,),
    )
    return {str(row["fingerprint"]): str(row["id"]) for row in await cur.fetchall()}


async def open_session_for_fingerprint(conn: AsyncConnection[DictRow], fingerprint: str) -> Row | None:
    cur = await conn.execute(
        f"SELECT id, status FROM alert_sessions WHERE fingerprint = %s AND status IN {_OPEN}",
        (fingerprint,),
    )
    return await cur.fetchone()


async def get_session(pool: Pool, session_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM alert_sessions WHERE id = %s", (session_id,))
        return await cur.fetchone()


_CLAIM = (
    "SELECT pg_advisory_xact_lock(%(lock)s);\n"
    "WITH running AS (SELECT count(*) AS n FROM alert_sessions WHERE status = ANY(%(active)s)"
    " AND heartbeat_at > clock_timestamp() - make_interval(secs => %(stale)s)),"
    " found AS (SELECT id FROM alert_sessions WHERE (SELECT n FROM running) < %(cap)s AND (status = 'pending'"
    " OR (status = ANY(%(active)s) AND heartbeat_at <= clock_timestamp() - make_interval(secs => %(stale)s)))"
    " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)"
    " UPDATE alert_sessions s SET status = CASE WHEN s.status = 'cancelling' THEN 'cancelling' ELSE 'in_progress'"
    " END, worker_id = %(worker)s, heartbeat_at = clock_timestamp(),"
    " started_at = coalesce(s.started_at, clock_timestamp()), attempts = s.attempts + 1"
    " FROM found WHERE s.id = found.id RETURNING s.*,"
    " EXISTS (SELECT 1 FROM alert_sessions p WHERE p.status = 'pending' AND p.id <> s.id) AS more_pending"
)


async def claim_next(pool: Pool, *, worker_id: str, max_concurrent: int, stale_after_s: float) -> Row | None:
    """Claim the oldest pending session, or one whose worker stopped heartbeating.

    Claims are serialized with a transaction-level advisory lock so the global limit on running
    sessions holds across all replicas; ``SKIP LOCKED`` keeps a row being finished elsewhere out.
    Lock, count and claim go as one simple query: one round trip and one implicit transaction
    that holds the lock to its end, while each statement reads a snapshot of its own, so the
    count sees every claim committed before the lock was granted. Times are ``clock_timestamp()``
    (see ``jobs.claim_oldest``). The row has one more key, ``more_pending``: whether other
    sessions were pending (the worker pool then wakes the next idle worker).
    """
    params = {
        "lock": _CLAIM_LOCK,
        "active": list(ACTIVE),
        "stale": stale_after_s,
        "cap": max_concurrent,
        "worker": worker_id,
    }
    async with pool.connection() as conn:
        cursor = AsyncClientCursor(conn)  # client-side binding: several statements in one simple query
        await cursor.execute(cursor.mogrify(_CLAIM, params).encode())
        cursor.nextset()  # past the lock's result to the claim's
        return await cursor.fetchone()


async def heartbeat(pool: Pool, session_id: str, worker_id: str) -> str | None:
    """Refresh the heartbeat; returns the current status, or None if this worker lost the session."""
    return await jobs.heartbeat(pool, "alert_sessions", session_id, worker_id)


async def finish_session(
    conn: AsyncConnection[DictRow],
    session_id: str,
    worker_id: str,
    *,
    status: str,
    final_analysis: str | None = None,
    executive_summary: str | None = None,
    executive_summary_error: str | None = None,
    error: str | None = None,
) -> bool:
    """Write the terminal status if this worker still owns the session; it now needs a review."""
    cur = await conn.execute(
        "UPDATE alert_sessions SET status = %s, final_analysis = coalesce(%s, final_analysis),"
        " executive_summary = coalesce(%s, executive_summary),"
        " executive_summary_error = coalesce(%s, executive_summary_error),"
        " error_message = %s, completed_at = now(), heartbeat_at = NULL, review_status = 'needs_review'"
        " WHERE id = %s AND worker_id = %s AND status = ANY(%s) RETURNING id",
        (
            status,
            final_analysis,
            executive_summary,
            executive_summary_error,
            error,
            session_id,
            worker_id,
            list(ACTIVE),
        ),
    )
    return await cur.fetchone() is not None


async def request_cancel(conn: AsyncConnection[DictRow], session_id: str, by: str) -> str | None:
    """Cancel a pending session outright or mark a running one ``cancelling``.

    Returns the new status, or None if the session is already terminal (or unknown).
    """
    cur = await conn.execute(
        "UPDATE alert_sessions SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE 'cancelling' END,"
        " completed_at = CASE WHEN status = 'pending' THEN now() ELSE completed_at END,"
        " error_message = CASE WHEN status = 'pending' THEN 'cancelled before it started'"
        " ELSE error_message END,"
        " review_status = CASE WHEN status = 'pending' THEN 'needs_review' ELSE review_status END,"
        " cancelled_by = COALESCE(cancelled_by, %s)"
        " WHERE id = %s AND status IN ('pending', 'in_progress', 'cancelling') RETURNING status",
        (by, session_id),
    )
    row = await cur.fetchone()
    return str(row["status"]) if row else None


async def list_stages(pool: Pool, session_id: str) -> list[Row]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM stages WHERE session_id = %s ORDER BY stage_index", (session_id,))
        stages = await cur.fetchall()
        cur = await conn.execute(
            "SELECT * FROM agent_executions WHERE session_id = %s ORDER BY agent_index", (session_id,)
        )
        executions = await cur.fetchall()
    by_stage: dict[str, list[Row]] = {}
    for execution in executions:
        by_stage.setdefault(str(execution["stage_id"]), []).append(execution)
    return [{**stage, "executions": by_stage.get(str(stage["id"]), [])} for stage in stages]


async def list_timeline(pool: Pool, session_id: str) -> list[Row]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM timeline_events WHERE session_id = %s ORDER BY seq", (session_id,))
        return await cur.fetchall()


async def events_after(pool: Pool, session_id: str, after_id: int, limit: int = 500) -> list[Row]:
    async with pool.connection() as conn:
        cur = await conn.execute(
            f"{READ_PAYLOADS} WHERE e.session_id = %s AND e.id > %s ORDER BY e.id LIMIT %s".encode(),  # fixed SQL
            (session_id, after_id, limit),
        )
        return await cur.fetchall()


async def pending_at_least(pool: Pool, count: int) -> bool:
    """Whether ``count`` or more sessions wait; reads at most ``count`` rows however long the queue."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) AS n FROM (SELECT 1 FROM alert_sessions WHERE status = 'pending' LIMIT %s) AS p",
            (count,),
        )
        row = await cur.fetchone()
    assert row is not None
    return int(row["n"]) >= count


async def queue_figures(pool: Pool) -> Row:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT count(*) FILTER (WHERE status = 'pending') AS pending,"
            " count(*) FILTER (WHERE status = ANY(%s)) AS active,"
            " extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending')) AS oldest_pending_s"
            " FROM alert_sessions",
            (list(ACTIVE),),
        )
        row = await cur.fetchone()
    assert row is not None
    return row
