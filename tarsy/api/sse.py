"""Per-session SSE: replay from the event log after ``Last-Event-ID``, then live, then end.

The subscription to live events is taken *before* the replay query, so an event committed in
between arrives twice at worst and is dropped by id, never lost. Token deltas have no id: they are
live only. The stream ends after the session's terminal ``session.status`` event.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from sse_starlette import ServerSentEvent

from tarsy.events.hub import EventHub, LiveEvent, Subscription
from tarsy.events.types import SESSION_STATUS, TERMINAL_STATUSES, is_terminal_event
from tarsy.store import sessions as repo
from tarsy.store.db import Pool


def _sse(event_id: int | None, event_type: str, payload: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(payload, default=str),
        event=event_type,
        id=None if event_id is None else str(event_id),
    )


async def _replay(pool: Pool, session_id: str, after: int) -> AsyncIterator[tuple[int, str, dict[str, Any]]]:
    while True:
        rows = await repo.events_after(pool, session_id, after)
        for row in rows:
            after = int(row["id"])
            yield after, str(row["event_type"]), dict(row["payload"])
        if len(rows) < 500:
            return


async def session_stream(
    pool: Pool, hub: EventHub, session_id: str, last_event_id: int
) -> AsyncIterator[ServerSentEvent]:
    sub: Subscription = hub.subscribe(session_id)
    try:
        last = last_event_id
        async for event_id, event_type, payload in _replay(pool, session_id, last):
            last = event_id
            yield _sse(event_id, event_type, payload)
            if is_terminal_event(event_type, payload):
                return
        row = await repo.get_session(pool, session_id)
        if row is not None and row["status"] in TERMINAL_STATUSES:
            # The terminal event was trimmed from the log (retention); say how it ended anyway.
            yield _sse(
                None,
                SESSION_STATUS,
                {"type": SESSION_STATUS, "session_id": session_id, "status": row["status"]},
            )
            return
        while True:
            if sub.overflowed:
                sub.overflowed = False
                async for event_id, event_type, payload in _replay(pool, session_id, last):
                    last = event_id
                    yield _sse(event_id, event_type, payload)
                    if is_terminal_event(event_type, payload):
                        return
            live: LiveEvent = await sub.queue.get()
            if live.id is not None:
                if live.id <= last:
                    continue
                last = live.id
            yield _sse(live.id, live.type, live.data)
            if is_terminal_event(live.type, live.data):
                return
    finally:
        hub.unsubscribe(sub)
