"""Rows behind the LangGraph SDK API: threads before their first run, runs as sessions and chat messages."""

from __future__ import annotations

import json
from typing import Any

from tarsy.store.db import Pool, Row


async def create_thread(pool: Pool, thread_id: str, metadata: dict[str, Any], *, if_exists: str) -> Row | None:
    """Insert the thread; None when it exists and ``if_exists`` is ``raise``."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO langgraph_threads (thread_id, metadata) VALUES (%s, %s)"
            " ON CONFLICT (thread_id) DO NOTHING RETURNING *",
            (thread_id, json.dumps(metadata)),
        )
        row = await cur.fetchone()
        if row is None and if_exists != "raise":
            cur = await conn.execute("SELECT * FROM langgraph_threads WHERE thread_id = %s", (thread_id,))
            row = await cur.fetchone()
        return row


async def get_thread(pool: Pool, thread_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT * FROM langgraph_threads WHERE thread_id = %s", (thread_id,))
        return await cur.fetchone()


async def search_threads(pool: Pool, *, limit: int, offset: int) -> list[Row]:
    """Threads newest first: those created through the SDK and every session (a session is a thread)."""
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT coalesce(t.thread_id, s.id) AS thread_id, coalesce(t.metadata, '{}'::jsonb) AS metadata,"
            " coalesce(t.created_at, s.created_at) AS created_at, s.status AS session_status"
            " FROM langgraph_threads t FULL JOIN alert_sessions s ON s.id = t.thread_id"
            " ORDER BY 3 DESC LIMIT %s OFFSET %s",
            (limit, offset),
        )
        return await cur.fetchall()


async def last_event_id(pool: Pool, session_id: str) -> int:
    """The session's newest event id (0 without events): where a new run's stream starts."""
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT coalesce(max(id), 0) AS id FROM events WHERE session_id = %s", (session_id,))
        row = await cur.fetchone()
        return int(row["id"]) if row else 0


async def get_chat_message(pool: Pool, session_id: str, message_id: str) -> Row | None:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "SELECT * FROM chat_messages WHERE id = %s AND session_id = %s", (message_id, session_id)
        )
        return await cur.fetchone()
