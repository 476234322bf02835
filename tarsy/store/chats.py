"""Chat rows: a chat per session, messages as claimable jobs, and reads for the API."""

from __future__ import annotations

import uuid

from psycopg import AsyncConnection, errors
from psycopg.rows import DictRow

from tarsy.errors import ConflictError
from tarsy.store import jobs
from tarsy.store.db import Pool, Row
from tarsy.store.jobs import ACTIVE


async def add_message(conn: AsyncConnection[DictRow], session_id: str, author: str, content: str) -> Row:
    """Create the chat if needed and queue a message; ConflictError if one is already in flight."""
    cur = await conn.execute(
        "INSERT INTO chats (id, session_id, created_by) VALUES (%s, %s, %s)"
        " ON CONFLICT (session_id) DO UPDATE SET session_id = EXCLUDED.session_id RETURNING id",
        (str(uuid.uuid4()), session_id, author),
    )
    chat = await cur.fetchone()
    assert chat is not None
    try:
        async with conn.transaction():
            cur = await conn.execute(
                "INSERT INTO chat_messages (id, chat_id, session_id, author, content, stage_index, status)"
                " VALUES (%s, %s, %s, %s, %s,"
                " (SELECT coalesce(max(stage_index), -1) + 1 FROM stages WHERE session_id = %s), 'pending')"
                " RETURNING *",
                (str(uuid.uuid4()), chat["id"], session_id, author, content, session_id),
            )
    except errors.UniqueViolation:
        raise ConflictError(
            "a chat message for this session is still being answered; wait for it or cancel it first"
        ) from None
    row = await cur.fetchone()
    assert row is not None
    return row


async def claim_next(pool: Pool, *, worker_id: str, stale_after_s: float) -> Row | None:
    async with pool.connection() as conn:  # one statement: one round trip
        return await jobs.claim_oldest(conn, "chat_messages", worker_id=worker_id, stale_after_s=stale_after_s)


async def heartbeat(pool: Pool, message_id: str, worker_id: str) -> str | None:
    return await jobs.heartbeat(pool, "chat_messages", message_id, worker_id)


async def finish_message(
    conn: AsyncConnection[DictRow],
    message_id: str,
    worker_id: str,
    *,
    status: str,
    answer: str | None,
    error: str | None,
) -> bool:
    cur = await conn.execute(
        "UPDATE chat_messages SET status = %s, answer = %s, error_message = %s, completed_at = now(),"
        " heartbeat_at = NULL WHERE id = %s AND worker_id = %s AND status = ANY(%s) RETURNING id",
        (status, answer, error, message_id, worker_id, list(ACTIVE)),
    )
    return await cur.fetchone() is not None


async def request_cancel(conn: AsyncConnection[DictRow], session_id: str, by: str) -> Row | None:
    """Cancel the session's in-flight message; returns it (with its new status) or None."""
    cur = await conn.execute(
        "UPDATE chat_messages SET status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE 'cancelling' END,"
        " completed_at = CASE WHEN status = 'pending' THEN now() ELSE completed_at END,"
        " cancelled_by = COALESCE(cancelled_by, %s)"
        " WHERE session_id = %s AND status IN ('pending', 'in_progress', 'cancelling') RETURNING *",
        (by, session_id),
    )
    return await cur.fetchone()


async def history(pool: Pool, session_id: str) -> tuple[Row | None, list[Row]]:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM chats WHERE session_id = %s", (session_id,))
        chat = await cur.fetchone()
        if chat is None:
            return None, []
        cur = await conn.execute(
            "SELECT m.*, s.id AS stage_id FROM chat_messages m LEFT JOIN stages s"
            " ON s.session_id = m.session_id AND s.stage_index = m.stage_index"
            " WHERE m.chat_id = %s ORDER BY m.created_at",
            (chat["id"],),
        )
        return chat, await cur.fetchall()


async def has_active(pool: Pool, session_id: str) -> bool:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT 1 FROM chat_messages WHERE session_id = %s AND status IN ('pending', 'in_progress', 'cancelling')",
            (session_id,),
        )
        return await cur.fetchone() is not None
