"""Retention: delete old sessions with everything hanging off them, and trim the replay log.

Product rows cascade from ``alert_sessions``; LangGraph's checkpoint tables have no foreign keys,
so the threads of deleted sessions (``<id>`` and ``<id>:chat``) are deleted explicitly in the same
transaction. One replica at a time runs it (advisory lock); the others skip that round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from tarsy.config import RetentionConfig
from tarsy.store.db import Pool

log = logging.getLogger(__name__)

_LOCK_KEY = 0x7A75_C1EA
_CHECKPOINT_TABLES = ("checkpoint_writes", "checkpoint_blobs", "checkpoints")


@dataclass(frozen=True)
class CleanupReport:
    sessions: int
    events: int
    checkpoint_rows: int


async def cleanup_once(pool: Pool, config: RetentionConfig) -> CleanupReport | None:
    """One cleanup round; None when another replica holds the lock."""
    async with pool.connection() as conn, conn.transaction():
        cur = await conn.execute("SELECT pg_try_advisory_xact_lock(%s) AS ok", (_LOCK_KEY,))
        got = await cur.fetchone()
        if got is None or not got["ok"]:
            return None
        cur = await conn.execute(
            "DELETE FROM alert_sessions WHERE created_at < now() - make_interval(days => %s)"
            " AND status IN ('completed', 'failed', 'cancelled', 'timed_out') RETURNING id",
            (config.session_retention_days,),
        )
        ids = [str(row["id"]) for row in await cur.fetchall()]
        # LangGraph SDK threads (docs/langgraph.md) go with their session, or after as long without one.
        await conn.execute(
            "DELETE FROM langgraph_threads t WHERE t.created_at < now() - make_interval(days => %s)"
            " AND NOT EXISTS (SELECT 1 FROM alert_sessions s WHERE s.id = t.thread_id)",
            (config.session_retention_days,),
        )
        threads = ids + [f"{i}:chat" for i in ids]
        checkpoint_rows = 0
        if threads:
            for table in _CHECKPOINT_TABLES:
                cur = await conn.execute(
                    f"DELETE FROM {table} WHERE thread_id = ANY(%s)",
                    (threads,),
                )
                checkpoint_rows += cur.rowcount
        cur = await conn.execute(
            "DELETE FROM events e USING alert_sessions s WHERE e.session_id = s.id"
            " AND s.status IN ('completed', 'failed', 'cancelled', 'timed_out')"
            " AND NOT EXISTS (SELECT 1 FROM chat_messages m WHERE m.session_id = s.id"
            "   AND m.status IN ('pending', 'in_progress', 'cancelling'))"
            " AND e.created_at < now() - make_interval(secs => %s)",
            (float(config.event_ttl),),
        )
        events = cur.rowcount
    report = CleanupReport(len(ids), events, checkpoint_rows)
    if ids or events:
        log.info("retention removed %d sessions, %d checkpoint rows, %d replay events", *_fields(report))
    return report


def _fields(report: CleanupReport) -> tuple[int, int, int]:
    return report.sessions, report.checkpoint_rows, report.events


class RetentionJob:
    def __init__(self, pool: Pool, config: RetentionConfig) -> None:
        self._pool = pool
        self._config = config
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._config.enabled:
            self._task = asyncio.create_task(self._loop(), name="tarsy-retention")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _loop(self) -> None:
        while True:
            try:
                await cleanup_once(self._pool, self._config)
            except Exception:
                # Cleanup must never take the service down; the next round tries again.
                log.exception("retention cleanup failed")
            await asyncio.sleep(float(self._config.cleanup_interval))
