"""One LISTEN connection per process, fanned out to in-process subscribers.

SSE endpoints subscribe here *before* they read the replay log, so no event can fall into the gap
between catch-up and live delivery; they drop duplicates by event id. Cancellation requests from
other replicas arrive on their own channel and are handed to a callback (the worker pool).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tarsy.errors import StoreUnavailableError, TooManyStreamsError
from tarsy.events.types import CANCEL_CHANNEL, EVENTS_CHANNEL
from tarsy.store import events as store
from tarsy.store.db import Pool

log = logging.getLogger(__name__)

ALL_SESSIONS = "*"
SUBSCRIBER_RETRY_AFTER_S = 5
CATCH_UP = "tarsy.catch-up"
"""Type of the marker a subscriber gets after the listener reconnected: catch up from the log.

Never sent to a client; events committed while nobody listened are only in the replay log.
"""


@dataclass(frozen=True)
class LiveEvent:
    """An event as received from NOTIFY; ``id`` is None for transient events."""

    id: int | None
    session_id: str
    type: str
    data: dict[str, Any]


@dataclass(eq=False)
class Subscription:
    key: str
    queue: asyncio.Queue[LiveEvent] = field(default_factory=lambda: asyncio.Queue(maxsize=2000))
    overflowed: bool = False


CancelHandler = Callable[[str], Awaitable[None]]


class EventHub:
    def __init__(self, url: str, pool: Pool, *, max_backoff: float = 5.0, connect_timeout: float = 5.0) -> None:
        self._url = url
        self._pool = pool
        self._max_backoff = max_backoff
        self._connect_timeout = max(2, round(connect_timeout))
        self._subs: dict[str, set[Subscription]] = {}
        self._count = 0
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._cancel_handler: CancelHandler | None = None

    def on_cancel(self, handler: CancelHandler) -> None:
        self._cancel_handler = handler

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="tarsy-event-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=30)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    @property
    def subscriber_count(self) -> int:
        return self._count

    def subscribe(
        self, session_id: str = ALL_SESSIONS, *, max_total: int | None = None, max_for_key: int | None = None
    ) -> Subscription:
        """Register a subscriber; past ``max_total`` in all or ``max_for_key`` on this key, a 429."""
        subs = self._subs.get(session_id, set())
        if max_total is not None and self._count >= max_total:
            raise TooManyStreamsError(
                f"too many open event streams ({max_total}, system.sse.max_subscribers); retry later",
                retry_after=SUBSCRIBER_RETRY_AFTER_S,
            )
        if max_for_key is not None and len(subs) >= max_for_key:
            raise TooManyStreamsError(
                f"too many open event streams for this session ({max_for_key}, "
                "system.sse.max_subscribers_per_session); close one or retry later",
                retry_after=SUBSCRIBER_RETRY_AFTER_S,
            )
        sub = Subscription(session_id)
        self._subs.setdefault(session_id, set()).add(sub)
        self._count += 1
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Idempotent: the stream's own clean-up and the response's safety net may both call it."""
        subs = self._subs.get(sub.key)
        if subs is not None and sub in subs:
            subs.discard(sub)
            self._count -= 1
            if not subs:
                del self._subs[sub.key]

    async def _run(self) -> None:
        backoff = 0.2
        lost = False
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self._url, autocommit=True, connect_timeout=self._connect_timeout
                ) as conn:
                    await store.listen(conn, (EVENTS_CHANNEL, CANCEL_CHANNEL))
                    self._ready.set()
                    backoff = 0.2
                    if lost:
                        self._resync_all()  # LISTEN again: wake every reader to read what it missed
                        lost = False
                    async for note in conn.notifies():
                        await self._dispatch(note.channel, note.payload)
            except asyncio.CancelledError:
                raise
            except (psycopg.Error, StoreUnavailableError) as exc:
                # The listener must outlive database outages; subscribers resync from the
                # replay log by id, so a reconnect loses nothing that was persisted.
                log.warning(
                    "event listener lost its connection (%s); reconnecting in %.1fs", type(exc).__name__, backoff
                )
                lost = True
                self._mark_all_overflowed()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff)

    def _resync_all(self) -> None:
        for subs in self._subs.values():
            for sub in subs:
                sub.overflowed = True
                with contextlib.suppress(asyncio.QueueFull):  # a full queue is already overflowed
                    sub.queue.put_nowait(LiveEvent(None, sub.key, CATCH_UP, {}))

    def _mark_all_overflowed(self) -> None:
        for subs in self._subs.values():
            for sub in subs:
                sub.overflowed = True

    async def _dispatch(self, channel: str, raw: str) -> None:
        if channel == CANCEL_CHANNEL:
            if self._cancel_handler is not None:
                await self._cancel_handler(raw)
            return
        message = json.loads(raw)
        if message.get("truncated"):
            message["data"] = await self._load_payload(int(message["id"]))
        event = LiveEvent(message["id"], message["session_id"], message["type"], message["data"])
        for key in (event.session_id, ALL_SESSIONS):
            for sub in list(self._subs.get(key, ())):
                try:
                    sub.queue.put_nowait(event)
                except asyncio.QueueFull:
                    sub.overflowed = True  # the reader resyncs from the replay log

    async def _load_payload(self, event_id: int) -> dict[str, Any]:
        return await store.event_payload(self._pool, event_id) or {}
