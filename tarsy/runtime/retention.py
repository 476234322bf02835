"""Retention: delete old sessions with everything hanging off them, and trim the replay log.

The threads of deleted sessions (``<id>`` and ``<id>:chat``) are deleted in the same transaction
(the statements are in ``tarsy.store.retention``). One replica at a time runs it (advisory lock);
the others skip that round.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from tarsy.config import RetentionConfig
from tarsy.store import retention as store
from tarsy.store.db import Pool

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CleanupReport:
    sessions: int
    events: int
    checkpoint_rows: int


async def cleanup_once(pool: Pool, config: RetentionConfig) -> CleanupReport | None:
    """One cleanup round; None when another replica holds the lock."""
    async with pool.connection() as conn, conn.transaction():
        if not await store.try_lock(conn):
            return None
        ids = await store.delete_ended_sessions(conn, config.session_retention_days)
        await store.delete_orphan_threads(conn, config.session_retention_days)
        threads = ids + [f"{i}:chat" for i in ids]
        checkpoint_rows = await store.delete_checkpoint_threads(conn, threads) if threads else 0
        events = await store.trim_replay_log(conn, float(config.event_ttl))
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
