"""Per-session SSE: replay from the event log after ``Last-Event-ID``, then live, then end.

The subscription to live events is taken *before* the replay query, so an event committed in
between arrives twice at worst and is dropped by id, never lost. Token deltas have no id: they are
live only. The stream ends after the session's terminal ``session.status`` event.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from tarsy.errors import StoreUnavailableError
from tarsy.events.hub import ALL_SESSIONS, CATCH_UP, EventHub, LiveEvent, Subscription
from tarsy.events.types import CHAT_STATUS, SESSION_STATUS, TERMINAL_STATUSES, is_terminal_event
from tarsy.runtime.service import Services
from tarsy.store import chats
from tarsy.store import sessions as repo
from tarsy.store.db import Pool

T = TypeVar("T")


def _sse(event_id: int | None, event_type: str, payload: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(payload, default=str),
        event=event_type,
        id=None if event_id is None else str(event_id),
    )


async def patiently(read: Callable[[], Awaitable[T]]) -> T:
    """Read the log for a stream that is already open: an outage is waited out, the client kept."""
    delay = 0.25
    while True:
        try:
            return await read()
        except StoreUnavailableError:
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _replay(pool: Pool, session_id: str, after: int) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
    while True:
        rows = await patiently(functools.partial(repo.events_after, pool, session_id, after))
        for row in rows:
            after = int(row["id"])
            yield after, str(row["event_type"]), dict(row["payload"])
        if len(rows) < 500:
            return


def _ends_live_stream(event_type: str, payload: dict[str, Any], session_terminal: bool) -> bool:
    if is_terminal_event(event_type, payload):
        return True
    return session_terminal and event_type == CHAT_STATUS and payload.get("status") in TERMINAL_STATUSES


def subscribe(services: Services, session_id: str = ALL_SESSIONS) -> Subscription:
    """A hub subscription within ``system.sse``'s caps (429 past them), taken before the response
    starts so a refused client gets a real status code rather than an empty stream."""
    caps = services.config.system.sse
    per_session = None if session_id == ALL_SESSIONS else caps.max_subscribers_per_session
    return services.hub.subscribe(session_id, max_total=caps.max_subscribers, max_for_key=per_session)


def stream_response(
    services: Services, sub: Subscription, stream: AsyncIterator[ServerSentEvent]
) -> EventSourceResponse:
    """The SSE answer: counted in the open-streams gauge; the subscription is released however the
    stream ends (the stream's own ``finally`` and, should it never start, the response's clean-up)."""
    return EventSourceResponse(
        counted(stream, services),
        ping=int(services.config.system.sse_ping_interval),
        background=BackgroundTask(services.hub.unsubscribe, sub),
    )


async def session_stream(
    pool: Pool, hub: EventHub, session_id: str, last_event_id: int, sub: Subscription | None = None
) -> AsyncIterator[ServerSentEvent]:
    """Replay, then live until the session ends (or, on an ended session, until its chat answer ends).

    Replay never stops early: a finished session's log continues with its chat turns. After the
    replay the database decides: an ended session with no chat message in flight closes the stream.
    """
    if sub is None:
        sub = hub.subscribe(session_id)
    try:
        last = last_event_id
        async for event_id, event_type, payload in _replay(pool, session_id, last):
            last = event_id
            yield _sse(event_id, event_type, payload)
        row = await repo.get_session(pool, session_id)
        status = None if row is None else str(row["status"])
        terminal = status in TERMINAL_STATUSES
        if terminal and not await chats.has_active(pool, session_id):
            if last == last_event_id and not await repo.events_after(pool, session_id, 0, limit=1):
                # The log was trimmed (retention): say how the session ended anyway.
                ending = {"type": SESSION_STATUS, "session_id": session_id, "status": status}
                yield _sse(None, SESSION_STATUS, ending)
            return
        while True:
            if sub.overflowed:
                sub.overflowed = False
                async for event_id, event_type, payload in _replay(pool, session_id, last):
                    last = event_id
                    yield _sse(event_id, event_type, payload)
                    if _ends_live_stream(event_type, payload, terminal):
                        return
            live: LiveEvent = await sub.queue.get()
            if live.type == CATCH_UP or (sub.overflowed and live.id is not None):
                # Missed events (a full queue, or the listener reconnected after an outage) come
                # from the log first; this one is in the log too (transient deltas are not).
                sub.overflowed = True
                continue
            if live.id is not None:
                if live.id <= last:
                    continue
                last = live.id
            yield _sse(live.id, live.type, live.data)
            if _ends_live_stream(live.type, live.data, terminal):
                return
    finally:
        hub.unsubscribe(sub)


async def counted(stream: AsyncIterator[ServerSentEvent], services: Services) -> AsyncIterator[ServerSentEvent]:
    """Keep the open-streams gauge right however the stream ends (disconnects cancel it)."""
    gauge = services.metrics.sse_streams
    gauge.inc()
    try:
        async for event in stream:
            yield event
    finally:
        gauge.dec()
