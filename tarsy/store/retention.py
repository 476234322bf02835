"""The deletes of the retention job (``tarsy.runtime.retention`` decides when), in one transaction
the caller opens.

Product rows cascade from ``alert_sessions``; LangGraph's checkpoint tables have no foreign keys,
so the threads of deleted sessions are deleted by id.
"""

from __future__ import annotations

from collections.abc import Sequence

from psycopg import AsyncConnection, sql
from psycopg.rows import DictRow

from tarsy.contracts import ACTIVE_CHAT_STATUSES, TERMINAL_SESSION_STATUSES

Conn = AsyncConnection[DictRow]

_LOCK_KEY = 0x7A75_C1EA
CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")


async def try_lock(conn: Conn) -> bool:
    """The retention lock for this transaction; False when another replica holds it."""
    cur = await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (_LOCK_KEY,))
    got = await cur.fetchone()
    return got is not None and bool(got["ok"])


async def delete_ended_sessions(conn: Conn, older_than_days: int) -> list[str]:
    """Delete ended sessions created more than ``older_than_days`` ago; their ids."""
    cur = await conn.execute(
        "DELETE FROM alert_sessions WHERE created_at < now() - make_interval(days => %s)"
        " AND status = ANY(%s) RETURNING id",
        (older_than_days, list(TERMINAL_SESSION_STATUSES)),
    )
    return [str(row["id"]) for row in await cur.fetchall()]


async def delete_orphan_threads(conn: Conn, older_than_days: int) -> None:
    """LangGraph SDK threads (docs/langgraph.md) go with their session, or after as long without one."""
    await conn.execute(
        "DELETE FROM langgraph_threads t WHERE t.created_at < now() - make_interval(days => %s)"
        " AND NOT EXISTS (SELECT 1 FROM alert_sessions s WHERE s.id = t.thread_id)",
        (older_than_days,),
    )


async def delete_checkpoint_threads(conn: Conn, thread_ids: Sequence[str]) -> int:
    """Delete every checkpoint row of these LangGraph threads; how many rows went."""
    removed = 0
    for table in CHECKPOINT_TABLES:
        query = sql.SQL("DELETE FROM {} WHERE thread_id = ANY(%s)").format(sql.Identifier(table))
        cur = await conn.execute(query, (list(thread_ids),))
        removed += cur.rowcount
    return removed


async def trim_replay_log(conn: Conn, ttl_s: float) -> int:
    """Delete replay events older than ``ttl_s`` of ended sessions whose chat is idle; how many."""
    cur = await conn.execute(
        "DELETE FROM events e USING alert_sessions s WHERE e.session_id = s.id"
        " AND s.status = ANY(%s)"
        " AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.session_id = s.id AND m.status = ANY(%s))"
        " AND e.created_at < now() - make_interval(secs => %s)",
        (list(TERMINAL_SESSION_STATUSES), list(ACTIVE_CHAT_STATUSES), ttl_s),
    )
    return cur.rowcount
