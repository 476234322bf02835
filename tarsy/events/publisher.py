"""Publishing events: persisted ones are stored and NOTIFYed in one transaction.

Persisted events get an increasing id from the ``events`` table; that id is the SSE ``id:`` and
what ``Last-Event-ID`` replays from. Transient events (token deltas) are only NOTIFYed: a client
that reconnects gets the stored final text instead of the deltas it missed.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.events.types import EVENTS_CHANNEL, MAX_NOTIFY_BYTES
from tarsy.store import events as store
from tarsy.store.db import Pool


def _envelope(event_id: int | None, session_id: str, event_type: str, payload: dict[str, Any]) -> str:
    message = {"id": event_id, "session_id": session_id, "type": event_type, "data": payload}
    text = json.dumps(message, default=str, separators=(",", ":"))
    if len(text.encode()) <= MAX_NOTIFY_BYTES:
        return text
    # Too big for NOTIFY: listeners fetch the stored payload by id instead.
    return json.dumps({"id": event_id, "session_id": session_id, "type": event_type, "truncated": True})


def build_payload(session_id: str, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "session_id": session_id, "timestamp": datetime.now(UTC).isoformat(), **data}


class EventPublisher:
    """Writes events to the replay log and announces them to every replica."""

    def __init__(self, pool: Pool, *, locks: dict[str, asyncio.Lock] | None = None) -> None:
        self._pool = pool
        self._locks: dict[str, asyncio.Lock] = {} if locks is None else locks

    def with_pool(self, pool: Pool) -> EventPublisher:
        """The same publisher on another pool (the workers'), sharing the per-session locks."""
        return EventPublisher(pool, locks=self._locks)

    def lock(self, session_id: str) -> asyncio.Lock:
        """Serialize one session's persisted events so their ids commit in increasing order.

        Identity values are handed out at INSERT but become visible at COMMIT; two concurrent
        transactions of one session could otherwise commit ids out of order, and a client resuming
        from ``Last-Event-ID`` would skip the smaller one. A session is run by one process at a
        time, so an in-process lock is enough.
        """
        lock = self._locks.get(session_id)
        if lock is None:
            lock = self._locks[session_id] = asyncio.Lock()
        return lock

    def forget(self, session_id: str) -> None:
        self._locks.pop(session_id, None)

    async def publish(
        self,
        session_id: str,
        event_type: str,
        data: dict[str, Any],
        *,
        conn: AsyncConnection[DictRow] | None = None,
    ) -> int:
        """Store and NOTIFY; with ``conn`` the event joins the caller's open transaction."""
        payload = build_payload(session_id, event_type, data)
        if conn is not None:  # the caller holds ``lock(session_id)`` around its transaction
            return await self._publish_on(conn, session_id, event_type, payload)
        # One statement (insert and NOTIFY): atomic on its own, so no BEGIN/COMMIT round trips.
        async with self.lock(session_id), self._pool.connection() as own:
            return await self._publish_on(own, session_id, event_type, payload)

    async def _publish_on(
        self, conn: AsyncConnection[DictRow], session_id: str, event_type: str, payload: dict[str, Any]
    ) -> int:
        return await store.insert_and_notify(conn, EVENTS_CHANNEL, MAX_NOTIFY_BYTES, session_id, event_type, payload)

    async def publish_new(self, conn: AsyncConnection[DictRow], events: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Store and NOTIFY the first event of each of many new sessions, in two statements.

        Inside the caller's transaction; a new session has no other events yet, so no lock is needed.
        """
        if not events:
            return
        payloads = [build_payload(session_id, event_type, data) for session_id, event_type, data in events]
        rows = [
            (session_id, event_type, payload)
            for (session_id, event_type, _), payload in zip(events, payloads, strict=True)
        ]
        ids = await store.insert_first_events(conn, rows)  # one event per session
        envelopes = [
            _envelope(ids[session_id], session_id, event_type, payload) for session_id, event_type, payload in rows
        ]
        await store.notify_many(conn, EVENTS_CHANNEL, envelopes)

    async def transient(self, session_id: str, event_type: str, data: dict[str, Any]) -> None:
        """NOTIFY only. Large deltas are split so each notification stays under the size limit."""
        payload = build_payload(session_id, event_type, data)
        delta = payload.get("delta")
        pieces: list[dict[str, Any]] = [payload]
        if isinstance(delta, str) and len(delta.encode()) > MAX_NOTIFY_BYTES // 2:
            step = MAX_NOTIFY_BYTES // 8  # characters may take up to 4 bytes, plus JSON escaping
            pieces = [{**payload, "delta": delta[i : i + step]} for i in range(0, len(delta), step)]
        async with self._pool.connection() as conn:
            for piece in pieces:
                await store.notify(conn, EVENTS_CHANNEL, _envelope(None, session_id, event_type, piece))
