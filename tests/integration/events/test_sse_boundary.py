"""The SSE streams on real PostgreSQL with the real LISTEN hub: one session's (tarsy/api/sse.py)
and the session list's (``session_list_stream`` in tarsy/api/routes/history.py).

Two promises of both, each with the case that breaks it:

- live de-duplication: an event committed between the subscription and the replay query reaches
  the subscriber live *and* is in the replay; it is sent once (the live copy with an id at or below
  the last replayed one is dropped);
- overflow resync: when a slow reader's live queue overflows, the events it lost are read back
  from the replay log, in order, each once, and the stream still ends on the terminal status.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from sse_starlette import ServerSentEvent

from tarsy.api.routes.history import session_list_stream
from tarsy.api.sse import session_stream
from tarsy.events.hub import ALL_SESSIONS, EventHub, LiveEvent, Subscription
from tarsy.events.publisher import EventPublisher
from tarsy.store import sessions
from tarsy.store.db import Pool, open_pool

pytestmark = [pytest.mark.integration]


class RecordingHub(EventHub):
    """The real hub, remembering the subscriptions it hands out (optionally with a small queue)."""

    def __init__(self, url: str, pool: Pool, queue_size: int | None = None) -> None:
        super().__init__(url, pool)
        self.queue_size = queue_size
        self.subscriptions: list[Subscription] = []

    def subscribe(self, session_id: str = ALL_SESSIONS) -> Subscription:
        sub = super().subscribe(session_id)
        if self.queue_size is not None:
            sub.queue = asyncio.Queue(maxsize=self.queue_size)
        self.subscriptions.append(sub)
        return sub


@dataclass
class Setup:
    pool: Pool
    publisher: EventPublisher
    url: str


@pytest_asyncio.fixture
async def setup(database_url: str) -> AsyncIterator[Setup]:
    pool = await open_pool(database_url, min_size=1, max_size=4)
    try:
        yield Setup(pool, EventPublisher(pool), database_url)
    finally:
        await pool.close()


@pytest_asyncio.fixture
async def session_id(setup: Setup) -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with setup.pool.connection() as conn:
        row = await sessions.insert_session(conn, new)
    return str(row["id"])


def _ids(events: list[ServerSentEvent]) -> list[int]:
    return [int(str(e.id)) for e in events]


async def _drain(stream: AsyncIterator[ServerSentEvent]) -> list[ServerSentEvent]:
    return [event async for event in stream]


async def test_an_event_both_replayed_and_live_is_sent_once(setup: Setup, session_id: str) -> None:
    hub = RecordingHub(setup.url, setup.pool)
    await hub.start()
    try:
        first = await setup.publisher.publish(session_id, "stage.status", {"status": "started"})
        second = await setup.publisher.publish(session_id, "timeline_event.created", {"content": "thinking"})
        stream = session_stream(setup.pool, hub, session_id, 0)
        replayed = [await anext(stream), await anext(stream)]
        assert _ids(replayed) == [first, second]
        # Both were committed after the subscription was taken: the listener delivers them too.
        (sub,) = hub.subscriptions
        for event_id, kind in ((first, "stage.status"), (second, "timeline_event.created")):
            sub.queue.put_nowait(LiveEvent(event_id, session_id, kind, {"type": kind, "session_id": session_id}))
        third = await setup.publisher.publish(session_id, "stage.status", {"status": "completed"})
        end = await setup.publisher.publish(session_id, "session.status", {"status": "completed"})
        rest = await asyncio.wait_for(_drain(stream), timeout=30)
    finally:
        await hub.stop()

    assert _ids(rest) == [third, end], "each event exactly once, in order"


async def test_an_overflowed_subscriber_resyncs_from_the_log(setup: Setup, session_id: str) -> None:
    hub = RecordingHub(setup.url, setup.pool, queue_size=3)
    await hub.start()
    try:
        before = await setup.publisher.publish(session_id, "session.status", {"status": "in_progress"})
        stream = session_stream(setup.pool, hub, session_id, 0)
        assert _ids([await anext(stream)]) == [before]
        (sub,) = hub.subscriptions
        # The reader is slow: ten events and the end arrive while it reads nothing.
        published = [
            await setup.publisher.publish(session_id, "timeline_event.created", {"content": f"step {n}"})
            for n in range(10)
        ]
        published.append(await setup.publisher.publish(session_id, "session.status", {"status": "completed"}))
        for _ in range(1000):
            if sub.overflowed:
                break
            await asyncio.sleep(0.01)
        assert sub.overflowed, "the small queue overflowed"
        rest = await asyncio.wait_for(_drain(stream), timeout=30)
    finally:
        await hub.stop()

    assert _ids(rest) == published, "every lost event read back from the log, each once, then the end"
    assert rest[-1].event == "session.status"


async def _take(stream: AsyncIterator[ServerSentEvent], count: int) -> list[ServerSentEvent]:
    return [await anext(stream) for _ in range(count)]


async def test_list_stream_sends_an_event_both_replayed_and_live_once(setup: Setup, session_id: str) -> None:
    hub = RecordingHub(setup.url, setup.pool)
    await hub.start()
    try:
        first = await setup.publisher.publish(session_id, "session.status", {"status": "pending"})
        second = await setup.publisher.publish(session_id, "session.status", {"status": "in_progress"})
        stream = session_list_stream(setup.pool, hub, 0)
        assert _ids(await _take(stream, 2)) == [first, second]
        (sub,) = hub.subscriptions
        for event_id in (first, second):
            data = {"type": "session.status", "session_id": session_id, "status": "pending"}
            sub.queue.put_nowait(LiveEvent(event_id, session_id, "session.status", data))
        third = await setup.publisher.publish(session_id, "session.status", {"status": "completed"})
        rest = await asyncio.wait_for(_take(stream, 1), timeout=30)
        await stream.aclose()
    finally:
        await hub.stop()

    assert _ids(rest) == [third]


async def test_a_live_list_stream_skips_what_was_stored_before_it_began(setup: Setup, session_id: str) -> None:
    """Without an id the stream starts at the head; the hub may deliver an older event late (a busy
    process): that event was stored before the stream began and is not sent."""
    hub = RecordingHub(setup.url, setup.pool)
    await hub.start()
    try:
        old = await setup.publisher.publish(session_id, "session.status", {"status": "pending"})
        stream = session_list_stream(setup.pool, hub, None)
        first = asyncio.ensure_future(anext(stream))
        for _ in range(1000):
            if hub.subscriptions:
                break
            await asyncio.sleep(0.01)
        (sub,) = hub.subscriptions
        data = {"type": "session.status", "session_id": session_id, "status": "pending"}
        sub.queue.put_nowait(LiveEvent(old, session_id, "session.status", data))  # the late delivery
        new = await setup.publisher.publish(session_id, "session.status", {"status": "cancelled"})
        got = await asyncio.wait_for(first, timeout=30)
        await stream.aclose()
    finally:
        await hub.stop()

    assert _ids([got]) == [new]


async def test_list_stream_resyncs_an_overflowed_subscriber_from_the_log(setup: Setup) -> None:
    hub = RecordingHub(setup.url, setup.pool, queue_size=3)
    await hub.start()
    try:
        ids = [await _new_session_id(setup) for _ in range(11)]
        before = await setup.publisher.publish(ids[0], "session.status", {"status": "pending"})
        stream = session_list_stream(setup.pool, hub, 0)
        assert _ids(await _take(stream, 1)) == [before]
        (sub,) = hub.subscriptions
        published = [await setup.publisher.publish(sid, "session.status", {"status": "cancelled"}) for sid in ids[1:]]
        for _ in range(1000):
            if sub.overflowed:
                break
            await asyncio.sleep(0.01)
        assert sub.overflowed, "the small queue overflowed"
        rest = await asyncio.wait_for(_take(stream, len(published)), timeout=30)
        await stream.aclose()
    finally:
        await hub.stop()

    assert _ids(rest) == published, "every lost event read back from the log, each once, in order"


async def _new_session_id(setup: Setup) -> str:
    new = sessions.NewSession(
        alert_type="kubernetes", chain_id="kubernetes", alert_data={}, runbook_url=None, author="t"
    )
    async with setup.pool.connection() as conn:
        row = await sessions.insert_session(conn, new)
    return str(row["id"])
