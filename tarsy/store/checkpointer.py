"""LangGraph's PostgreSQL checkpointer on a pool: no process-wide lock, and each write in one round trip.

``AsyncPostgresSaver`` takes one ``asyncio.Lock`` around every operation, which a single shared
connection needs; on a pool each operation takes a connection of its own, so the lock only
serializes every session's checkpoint reads and writes in the process (langchain-ai/langgraph
issue 7259). Here the pooled saver skips it; on a single connection it keeps it.

Its writes (``aput``: the checkpoint and its blobs; ``aput_writes``: a task's writes;
``adelete_thread``) ask for a pipelined cursor, on which an autocommit connection commits every
row on its own. On a pool they get a :class:`BatchCursor` instead: the statements are bound on the
client and sent as one simple query, so each write is one round trip and one transaction (all of
its rows or none), with less of psycopg's pipeline machinery per statement.

A task's writes are serialized in the event loop rather than in a thread (``asyncio.to_thread``):
they are small, and the hop to a thread and back cost more than the serialization.

A run on a thread that has never run (``new_thread``: a session's first claim) skips the read of its
latest checkpoint that LangGraph makes when a run starts: there is none yet.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import WRITES_IDX_MAP, CheckpointTuple
from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver
from psycopg import AsyncClientCursor, AsyncConnection, AsyncCursor
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool


class BatchCursor:
    """Collects ``execute``/``executemany`` calls (no results read) and sends them as one query."""

    def __init__(self, conn: AsyncConnection[DictRow]) -> None:
        self._binder = AsyncClientCursor(conn)  # client-side binding: several statements in one query
        self._parts: list[str] = []

    async def execute(self, query: Any, params: Sequence[Any] | None = None) -> None:
        self._parts.append(self._binder.mogrify(query, params))

    async def executemany(self, query: Any, params_seq: Iterable[Sequence[Any]]) -> None:
        self._parts.extend(self._binder.mogrify(query, params) for params in params_seq)

    async def send(self) -> None:
        """One round trip: every collected statement in one implicit transaction."""
        if not self._parts:
            return
        await self._binder.execute(";\n".join(self._parts).encode())  # bound above; no parameters left
        while self._binder.nextset():
            pass


class PooledPostgresSaver(AsyncPostgresSaver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._new_threads: set[str] = set()

    def new_thread(self, thread_id: str) -> None:
        """The next read of ``thread_id``'s latest checkpoint answers "none" without asking the
        database (once): the thread has never run. ``forget_thread`` withdraws it unused."""
        self._new_threads.add(thread_id)

    def forget_thread(self, thread_id: str) -> None:
        self._new_threads.discard(thread_id)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = ""
    ) -> None:
        """``AsyncPostgresSaver.aput_writes`` (same rows), serialized here instead of in a thread."""
        if self.pipe is not None or not isinstance(self.conn, AsyncConnectionPool):
            await super().aput_writes(config, writes, task_id, task_path)
            return
        known = all(channel in WRITES_IDX_MAP for channel, _ in writes)
        query = self.UPSERT_CHECKPOINT_WRITES_SQL if known else self.INSERT_CHECKPOINT_WRITES_SQL
        c = config["configurable"]
        params = self._dump_writes(c["thread_id"], c["checkpoint_ns"], c["checkpoint_id"], task_id, task_path, writes)
        async with self._cursor(pipeline=True) as cur:
            await cur.executemany(query, params)

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        configurable = config.get("configurable", {})
        thread_id = str(configurable.get("thread_id"))
        if not configurable.get("checkpoint_id") and thread_id in self._new_threads:
            self._new_threads.discard(thread_id)  # one read: after it, the run writes checkpoints
            return None
        return await super().aget_tuple(config)

    @asynccontextmanager
    async def _cursor(self, *, pipeline: bool = False) -> AsyncIterator[AsyncCursor[DictRow]]:
        if self.pipe is not None or not isinstance(self.conn, AsyncConnectionPool):
            async with super()._cursor(pipeline=pipeline) as shared:
                yield shared
            return
        async with self.conn.connection() as conn:
            if pipeline:  # the saver's writes, which only execute: batched into one simple query
                batch = BatchCursor(conn)
                yield batch  # type: ignore[misc]  # a write-only stand-in for the cursor
                await batch.send()
            else:
                async with conn.cursor(binary=True, row_factory=dict_row) as cur:
                    yield cur
