"""An agent step's records reach PostgreSQL in one batch: rows, events and NOTIFYs, in order.

The round trips are counted by the pool itself (``TarsyPool.round_trips``), the events read back
from a ``LISTEN`` on the events channel and from the ``events`` table.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import psycopg
import pytest

from tarsy.contracts import LLMInteraction
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.runtime.recorder import StoreRecorder
from tarsy.store.db import Pool, TarsyPool, open_pool
from tarsy.store.events import event_payload
from tarsy.store.migrate import apply_migrations
from tarsy.store.sessions import NewSession, events_after, insert_session

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[Pool]:
    opened = await open_pool(database_url, min_size=1, max_size=4)
    await apply_migrations(opened)
    yield opened
    await opened.close()


async def _session(pool: Pool) -> str:
    async with pool.connection() as conn:
        row = await insert_session(conn, NewSession("kubernetes", "chain", {"pod": "web-1"}, None, "test"))
    return str(row["id"])


def _interaction() -> LLMInteraction:
    return LLMInteraction(
        stage_id=None,
        execution_id=None,
        interaction_type="iteration",
        provider="p",
        model="m",
        conversation_offset=0,
        request_messages=[{"role": "user", "content": "why?"}],
        tools=[],
        response={"role": "assistant", "content": "OOMKilled"},
        thinking="",
        input_tokens=3,
        output_tokens=2,
        thinking_tokens=0,
        duration_ms=1,
    )


async def test_a_step_is_one_batch_with_its_events_in_order(pool: Pool, database_url: str) -> None:
    assert isinstance(pool, TarsyPool)
    session_id = await _session(pool)
    recorder = StoreRecorder(pool, EventPublisher(pool), session_id, flush_interval=0)
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as listener:
        await listener.execute(f"LISTEN {ev.EVENTS_CHANNEL}")
        before = pool.round_trips.count
        event_id = await recorder.timeline_started(event_type="llm_response", stage_id=None, execution_id=None)
        for delta in ("OOM", "Kil", "led"):
            await recorder.timeline_delta(event_id, delta)
        await recorder.timeline_completed(event_id, "OOMKilled")
        await recorder.llm_interaction(_interaction())
        queued = pool.round_trips.count
        await recorder.flush()
        after = pool.round_trips.count
        notices = []
        async for notice in listener.notifies(timeout=5, stop_after=6):
            notices.append(json.loads(notice.payload))

    assert queued == before, "nothing is written before the step's flush"
    assert after - before == 1, "one batch (a quiet pooled connection is not pinged)"
    kinds = [(n["type"], n["data"].get("delta")) for n in notices if n["session_id"] == session_id]
    assert kinds == [
        (ev.TIMELINE_CREATED, None),
        (ev.STREAM_CHUNK, "OOM"),
        (ev.STREAM_CHUNK, "Kil"),
        (ev.STREAM_CHUNK, "led"),
        (ev.TIMELINE_COMPLETED, None),
        (ev.INTERACTION_CREATED, None),
    ]
    created = notices[0]["data"]
    assert created["event_id"] == event_id and isinstance(created["sequence"], int)
    async with pool.connection() as conn:
        cur = await conn.execute("SELECT status, content FROM timeline_events WHERE id = %s", (event_id,))
        assert await cur.fetchone() == {"status": "completed", "content": "OOMKilled"}
        cur = await conn.execute("SELECT event_type FROM events WHERE session_id = %s ORDER BY id", (session_id,))
        stored = [r["event_type"] for r in await cur.fetchall()]
    assert stored[-3:] == [ev.TIMELINE_CREATED, ev.TIMELINE_COMPLETED, ev.INTERACTION_CREATED]


async def test_a_timeline_text_is_stored_once_and_every_reader_gets_it(pool: Pool, database_url: str) -> None:
    session_id = await _session(pool)
    recorder = StoreRecorder(pool, EventPublisher(pool), session_id, flush_interval=0)
    big = "x" * (ev.MAX_NOTIFY_BYTES + 100)  # too big for NOTIFY: the notice points at the stored event
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True) as listener:
        await listener.execute(f"LISTEN {ev.EVENTS_CHANNEL}")
        streamed = await recorder.timeline_started(event_type="llm_response", stage_id=None, execution_id=None)
        await recorder.timeline_completed(streamed, "OOMKilled")
        whole = await recorder.timeline_event(
            event_type="final_analysis", content=big, stage_id=None, execution_id=None
        )
        await recorder.flush()
        notices = [json.loads(n.payload) async for n in listener.notifies(timeout=5, stop_after=3)]

    async with pool.connection() as conn:
        cur = await conn.execute("SELECT payload FROM events WHERE session_id = %s ORDER BY id", (session_id,))
        stored = [r["payload"] for r in await cur.fetchall()]
    assert [p.get("content") for p in stored[-3:]] == ["", None, None], "texts are kept in the timeline rows"
    live = [(n["type"], n.get("truncated"), n.get("data", {}).get("content")) for n in notices]
    assert live == [
        (ev.TIMELINE_CREATED, None, ""),
        (ev.TIMELINE_COMPLETED, None, "OOMKilled"),
        (ev.TIMELINE_CREATED, True, None),
    ]
    pointed = await event_payload(pool, int(notices[2]["id"]))
    assert pointed is not None and pointed["content"] == big and pointed["event_id"] == whole
    replayed = [(r["event_type"], r["payload"]["content"]) for r in await events_after(pool, session_id, 0)]
    assert replayed[-3:] == [
        (ev.TIMELINE_CREATED, ""),
        (ev.TIMELINE_COMPLETED, "OOMKilled"),
        (ev.TIMELINE_CREATED, big),
    ]
    assert all(r["payload"]["event_id"] == streamed for r in (await events_after(pool, session_id, 0))[-3:-1])


async def test_a_step_run_again_resets_its_events_instead_of_adding_new_ones(pool: Pool) -> None:
    session_id = await _session(pool)
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO stages (id, session_id, stage_index, name, stage_type, parallel_type, expected_agents,"
            " success_policy, status) VALUES (gen_random_uuid(), %s, 0, 's', 'investigation', 'single', 1, 'all',"
            " 'active') RETURNING id",
            (session_id,),
        )
        stage = await cur.fetchone()
        assert stage is not None
    recorder = StoreRecorder(pool, EventPublisher(pool), session_id, flush_interval=0)

    execution_id = await _execution(pool, session_id, str(stage["id"]))
    first = await recorder.timeline_started(
        event_type="llm_tool_call", stage_id=None, execution_id=execution_id, metadata={"step": "0.0", "tool": "a.b"}
    )
    await recorder.flush()
    again = await recorder.timeline_started(
        event_type="llm_tool_call", stage_id=None, execution_id=execution_id, metadata={"step": "0.0", "tool": "a.b"}
    )
    await recorder.timeline_completed(again, "result")
    await recorder.flush()
    history = await recorder.agent_history(execution_id)

    assert first == again
    assert history.tools["0.0"].content == "result" and history.tools["0.0"].completed


async def _execution(pool: Pool, session_id: str, stage_id: str) -> str:
    async with pool.connection() as conn:
        cur = await conn.execute(
            "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy, llm_provider,"
            " model, status) VALUES (gen_random_uuid(), %s, %s, 'A', 0, 'react', 'p', 'm', 'active') RETURNING id",
            (session_id, stage_id),
        )
        row = await cur.fetchone()
    assert row is not None
    return str(row["id"])


async def test_queued_records_are_written_by_the_interval_without_a_step_end(pool: Pool) -> None:
    session_id = await _session(pool)
    recorder = StoreRecorder(pool, EventPublisher(pool), session_id, flush_interval=0.01)
    event_id = await recorder.timeline_started(event_type="llm_thinking", stage_id=None, execution_id=None)
    for _ in range(500):  # a live viewer sees a slow step's events without waiting for its end
        async with pool.connection() as conn:
            cur = await conn.execute("SELECT 1 FROM timeline_events WHERE id = %s", (event_id,))
            if await cur.fetchone() is not None:
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the queued event was never written")
