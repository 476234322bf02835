"""The database-backed ``Recorder``: every record write and its event commit together.

Writes are idempotent per (session, stage index) and (stage, agent index), so a stage that is
re-run after a worker crash updates its rows instead of duplicating them; timeline events of an
agent step (``metadata.step``) get ids derived from the step, so a step run again resets its
events instead of adding new ones.

Timeline events, interactions and streamed deltas are queued and written in one round trip: at
the end of each agent step (``flush``), before any stage or execution write, and at the latest
``flush_interval`` seconds after the first queued write, so live viewers see a slow model's or
tool's output within that interval. SQL lives in ``tarsy.store.records``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.config import ResolvedAgent
from tarsy.contracts import SubAgentOf
from tarsy.errors import StoreUnavailableError
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher, build_payload
from tarsy.llm.pricing import Pricer, Usage
from tarsy.nodes.context import LLMInteraction, MCPInteraction
from tarsy.nodes.replay import AgentHistory, history_from_rows
from tarsy.store import records as sql
from tarsy.store.db import Pool, Row

log = logging.getLogger(__name__)

FLUSH_INTERVAL_S = 0.05
NOTICE = sql.Notice(ev.EVENTS_CHANNEL, ev.MAX_NOTIFY_BYTES)


class InteractionObserver(Protocol):
    """Sees every stored interaction (metrics)."""

    def llm_interaction(self, record: LLMInteraction) -> None: ...

    def mcp_interaction(self, record: MCPInteraction) -> None: ...


class StoreRecorder:
    def __init__(
        self,
        pool: Pool,
        publisher: EventPublisher,
        session_id: str,
        observer: InteractionObserver | None = None,
        *,
        flush_interval: float = FLUSH_INTERVAL_S,
        pricer: Pricer | None = None,
    ) -> None:
        self._pricer = pricer
        self._pool = pool
        self._publisher = publisher
        self._observer = observer
        self.session_id = session_id
        self._queue: list[sql.Statement] = []
        self._flush_interval = flush_interval
        self._timer: asyncio.TimerHandle | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._failed: StoreUnavailableError | None = None  # a background flush's outage, raised by the next write
        self._new_executions: set[str] = set()  # inserted by this recorder: nothing to replay

    # -- the queue -------------------------------------------------------------------------------

    def _enqueue(self, *statements: sql.Statement) -> None:
        if self._failed is not None:  # the run learns of an outage as soon as it writes again
            failed, self._failed = self._failed, None
            raise failed
        self._queue.extend(statements)
        if self._timer is None and self._flush_interval > 0:
            self._timer = asyncio.get_running_loop().call_later(self._flush_interval, self._flush_later)

    def _flush_later(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self._background_flush())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _background_flush(self) -> None:
        try:
            await self.flush()
        except StoreUnavailableError as exc:  # the queue is kept; the next write raises the outage
            self._failed = exc
        except Exception as exc:  # the queue is kept; the step's own flush raises the error
            log.warning("background flush of session %s failed (%s); the step will retry", self.session_id, exc)

    async def flush(self) -> None:
        """Write everything queued, in one round trip and one transaction."""
        if not self._queue:
            return
        async with self._publisher.lock(self.session_id), self._pool.connection() as conn:
            await self._flush_on(conn)

    async def _flush_on(self, conn: AsyncConnection[DictRow]) -> None:
        """Write the queue on ``conn`` (the caller holds the session's event lock)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        statements, self._queue = self._queue, []
        try:
            await sql.run_batch(conn, statements)
        except BaseException:
            self._queue = statements + self._queue
            raise

    async def _now(self, statement: sql.Statement) -> Row:
        """A write that returns its row: the queue and the write (with its event) in one round trip."""
        async with self._publisher.lock(self.session_id), self._pool.connection() as conn:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            statements, self._queue = [*self._queue, statement], []
            try:
                row = await sql.run_batch(conn, statements)
            except BaseException:
                self._queue = statements[:-1] + self._queue
                raise
        if row is None:
            raise LookupError(f"session {self.session_id}: no row for {statement.params.get('id')}")
        return row

    # -- the session ------------------------------------------------------------------------------

    def session_event(self, event_type: str, data: dict[str, Any]) -> None:
        """Queue a session-level event (e.g. ``session.status`` in_progress): written with the next
        write, at the latest ``flush_interval`` from now."""
        self._enqueue(sql.event(NOTICE, self.session_id, build_payload(self.session_id, event_type, data)))

    # -- stages and executions -------------------------------------------------------------------

    async def stage_started(
        self,
        *,
        stage_index: int,
        name: str,
        stage_type: str,
        expected_agents: int,
        success_policy: str,
        parallel_type: str,
        referenced_stage_id: str | None = None,
    ) -> str:
        row = {
            "id": str(uuid.uuid4()),
            "session_id": self.session_id,
            "stage_index": stage_index,
            "name": name,
            "stage_type": stage_type,
            "parallel_type": parallel_type,
            "expected_agents": expected_agents,
            "success_policy": success_policy,
            "referenced_stage_id": referenced_stage_id,
        }
        data = {
            "stage_index": stage_index,
            "stage_name": name,
            "stage_type": stage_type,
            "parallel_type": parallel_type,
            "referenced_stage_id": referenced_stage_id,
            "status": "started",
        }
        payload = build_payload(self.session_id, ev.STAGE_STATUS, data)  # + the stage id, from the row
        return str((await self._now(sql.stage_started(NOTICE, self.session_id, payload, row)))["id"])

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        data = {"stage_id": stage_id, "status": status, "error": error}  # + index, name and type, from the row
        payload = build_payload(self.session_id, ev.STAGE_STATUS, data)
        row = {"id": stage_id, "status": status, "error": error}
        await self._now(sql.stage_finished(NOTICE, self.session_id, payload, row))

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        row = {
            "id": str(uuid.uuid4()),
            "session_id": self.session_id,
            "stage_id": stage_id,
            "agent_name": agent.display_name,
            "agent_index": agent_index,
            "strategy": agent.strategy,
            "llm_provider": agent.llm_provider,
            "model": model,
            "parent_execution_id": parent.execution_id if parent else None,
            "task": parent.task if parent else None,
            "dispatch_index": parent.dispatch_index if parent else 0,
        }
        data = {"stage_id": stage_id, "agent_name": agent.display_name, "agent_index": agent_index, "status": "active"}
        if parent is not None:
            data["parent_execution_id"] = parent.execution_id
        payload = build_payload(self.session_id, ev.EXECUTION_STATUS, data)  # + the execution id, from the row
        found = await self._now(sql.execution_started(NOTICE, self.session_id, payload, row))
        execution_id = str(found["id"])
        if found["inserted"]:
            self._new_executions.add(execution_id)
        else:  # reopened: it may have records to replay
            self._new_executions.discard(execution_id)
        return execution_id

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        data = {"execution_id": execution_id, "status": status, "error": error}  # + stage, agent: from the row
        payload = build_payload(self.session_id, ev.EXECUTION_STATUS, data)
        row = {"id": execution_id, "status": status, "error": error}
        await self._now(sql.execution_finished(NOTICE, self.session_id, payload, row))

    async def execution_fallback(self, execution_id: str, switch: dict[str, str]) -> None:
        data = {"execution_id": execution_id, "status": "active", "provider_fallback": switch}  # + stage, agent
        payload = build_payload(self.session_id, ev.EXECUTION_STATUS, data)
        row = {
            "id": execution_id,
            "switch": json.dumps(switch),
            "to_provider": switch["to_provider"],
            "to_model": switch["to_model"],
        }
        await self._now(sql.execution_fallback(NOTICE, self.session_id, payload, row))

    async def agent_history(self, execution_id: str) -> AgentHistory:
        """What an execution already did (its answered model calls and completed tool calls).

        An execution this recorder has just inserted (not reopened) has done nothing yet: no read.
        """
        if execution_id in self._new_executions:
            return history_from_rows([], [])
        async with self._pool.connection() as conn:
            calls, tools = await sql.execution_history(conn, execution_id)
        return history_from_rows(calls, tools)

    # -- timeline, interactions, deltas (queued) -------------------------------------------------

    def _timeline(
        self, event_type: str, status: str, content: str, where: tuple[str | None, str | None], meta: Row
    ) -> str:
        stage_id, execution_id = where
        step = meta.get("step")
        if step is not None and execution_id is not None:
            event_id = sql.step_event_id(execution_id, event_type, str(step))
        else:
            event_id = str(uuid.uuid4())
        data = {"event_id": event_id, "stage_id": stage_id, "execution_id": execution_id, "event_type": event_type}
        payload = build_payload(self.session_id, ev.TIMELINE_CREATED, {**data, "status": status, "content": content})
        payload["metadata"] = meta
        row = {**data, "id": event_id, "type": event_type, "status": status, "content": content, "metadata": meta}
        self._enqueue(sql.timeline_upsert(NOTICE, self.session_id, payload, row))
        return event_id

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        return self._timeline(event_type, "streaming", "", (stage_id, execution_id), dict(metadata or {}))

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        payload = build_payload(self.session_id, ev.STREAM_CHUNK, {"event_id": event_id, "delta": delta})
        step = ev.MAX_NOTIFY_BYTES // 8  # characters may take up to 4 bytes, plus JSON escaping
        pieces = [delta[i : i + step] for i in range(0, len(delta), step)] or [""]
        for piece in pieces:
            message = {
                "id": None,
                "session_id": self.session_id,
                "type": ev.STREAM_CHUNK,
                "data": {**payload, "delta": piece},
            }
            self._enqueue(sql.notify(NOTICE, json.dumps(message, default=str, separators=(",", ":"))))

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        payload = build_payload(
            self.session_id, ev.TIMELINE_COMPLETED, {"event_id": event_id, "status": status, "content": content}
        )
        row = {"id": event_id, "content": content, "status": status, "metadata": metadata or {}}
        self._enqueue(sql.timeline_complete(NOTICE, self.session_id, payload, row))

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        return self._timeline(event_type, "completed", content, (stage_id, execution_id), dict(metadata or {}))

    def _priced(self, record: LLMInteraction) -> LLMInteraction:
        """``record`` with its cost; a failed call reported no usage, so it has none."""
        if record.error is not None:
            return replace(record, cost_usd=None, cost_note="the call failed: no usage to price")
        if self._pricer is None:
            return replace(record, cost_usd=None, cost_note="no price table")
        usage = Usage(record.input_tokens, record.output_tokens, record.cached_tokens, record.thinking_tokens)
        cost = self._pricer.cost(record.provider, record.model, usage, datetime.now(UTC).date())
        return replace(record, cost_usd=cost.usd, cost_note=cost.note)

    async def llm_interaction(self, record: LLMInteraction) -> str:
        record = self._priced(record)
        if self._observer is not None:
            self._observer.llm_interaction(record)
        interaction_id = str(uuid.uuid4())
        row = {
            "id": interaction_id,
            "session_id": self.session_id,
            "stage_id": record.stage_id,
            "execution_id": record.execution_id,
            "interaction_type": record.interaction_type,
            "provider": record.provider,
            "model": record.model,
            "conversation_offset": record.conversation_offset,
            "request_messages": json.dumps(record.request_messages, default=str),
            "tools": json.dumps(record.tools),
            "response": None if record.response is None else json.dumps(record.response, default=str),
            "thinking": record.thinking,
            "input_tokens": record.input_tokens,
            "output_tokens": record.output_tokens,
            "thinking_tokens": record.thinking_tokens,
            "total_tokens": record.input_tokens + record.output_tokens,
            "duration_ms": record.duration_ms,
            "error": record.error,
            "cached_tokens": record.cached_tokens,
            "cost_usd": record.cost_usd,
            "cost_estimated": record.tokens_estimated,
            "cost_note": record.cost_note,
        }
        data: dict[str, Any] = {
            "interaction_id": interaction_id,
            "kind": "llm",
            "interaction_type": record.interaction_type,
        }
        data |= {"stage_id": record.stage_id, "execution_id": record.execution_id}
        payload = build_payload(self.session_id, ev.INTERACTION_CREATED, data)
        self._enqueue(*sql.llm_interaction(NOTICE, self.session_id, payload, row))
        return interaction_id

    async def mcp_interaction(self, record: MCPInteraction) -> str:
        if self._observer is not None:
            self._observer.mcp_interaction(record)
        interaction_id = str(uuid.uuid4())
        row = {
            "id": interaction_id,
            "session_id": self.session_id,
            "stage_id": record.stage_id,
            "execution_id": record.execution_id,
            "timeline_event_id": record.timeline_event_id,
            "interaction_type": record.interaction_type,
            "server": record.server,
            "tool": record.tool,
            "arguments": json.dumps(record.arguments, default=str),
            "result": record.result,
            "is_error": record.is_error,
            "error": record.error,
            "available_tools": None
            if record.available_tools is None
            else json.dumps(record.available_tools, default=str),
            "duration_ms": record.duration_ms,
        }
        data: dict[str, Any] = {
            "interaction_id": interaction_id,
            "kind": "mcp",
            "server": record.server,
            "tool": record.tool,
        }
        data |= {"stage_id": record.stage_id, "execution_id": record.execution_id}
        payload = build_payload(self.session_id, ev.INTERACTION_CREATED, data)
        self._enqueue(sql.mcp_interaction(NOTICE, self.session_id, payload, row))
        return interaction_id

    async def close_open_records(self, conn: AsyncConnection[DictRow], status: str) -> None:
        """End everything still open with the session's terminal status (caller holds the lock)."""
        await self._flush_on(conn)
        for row in await sql.close_open(conn, self.session_id, status):
            data = {"stage_id": str(row["id"]), "stage_index": row["stage_index"], "stage_name": row["name"]}
            record_status = "completed" if status == "completed" else status
            await self._publisher.publish(
                self.session_id,
                ev.STAGE_STATUS,
                {**data, "stage_type": row["stage_type"], "status": record_status},
                conn=conn,
            )
