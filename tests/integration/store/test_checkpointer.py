"""The pooled checkpointer does not serialize its operations behind one lock; a single connection does."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from psycopg.rows import dict_row

from tarsy.store.checkpointer import PooledPostgresSaver
from tarsy.store.db import open_pool

pytestmark = pytest.mark.integration

CONFIG = {"configurable": {"thread_id": "no-such-thread", "checkpoint_ns": ""}}


async def test_a_pooled_saver_reads_while_its_lock_is_held(database_url: str) -> None:
    pool = await open_pool(database_url, min_size=1, max_size=2)
    try:
        saver = PooledPostgresSaver(pool)
        await saver.setup()
        async with saver.lock:  # another operation of the process would hold it
            assert await asyncio.wait_for(saver.aget_tuple(CONFIG), timeout=30) is None  # type: ignore[arg-type]
    finally:
        await pool.close()


async def test_a_saver_on_one_connection_keeps_its_lock(database_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(database_url, autocommit=True, row_factory=dict_row) as conn:
        saver = PooledPostgresSaver(conn)
        await saver.setup()
        async with saver.lock:
            read = asyncio.create_task(saver.aget_tuple(CONFIG))  # type: ignore[arg-type]
            done, _ = await asyncio.wait({read}, timeout=0.2)
            assert not done, "the shared connection's operations wait for the lock"
        assert await read is None
