"""The database-backed ``Recorder``: every record write and its event commit together.

Writes are idempotent per (session, stage index) and (stage, agent index), so a stage that is
re-run after a worker crash updates its rows instead of duplicating them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any, Protocol

from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.config import ResolvedAgent
from tarsy.events import types as ev
from tarsy.events.publisher import EventPublisher
from tarsy.nodes.context import LLMInteraction, MCPInteraction
from tarsy.store.db import Pool


class InteractionObserver(Protocol):
    """Sees every stored interaction (metrics)."""

    def llm_interaction(self, record: LLMInteraction) -> None: ...

    def mcp_interaction(self, record: MCPInteraction) -> None: ...


class StoreRecorder:
    def __init__(
        self, pool: Pool, publisher: EventPublisher, session_id: str, observer: InteractionObserver | None = None
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._observer = observer
        self.session_id = session_id

    async def _write(
        self,
        sql: str,
        params: tuple[Any, ...],
        event_type: str,
        data: Callable[[DictRow], dict[str, Any]],
    ) -> DictRow:
        async with (
            self._publisher.lock(self.session_id),
            self._pool.connection() as conn,
            conn.transaction(),
        ):
            cur = await conn.execute(sql.encode(), params)  # static SQL of this module
            row = await cur.fetchone()
            assert row is not None
            await self._publisher.publish(self.session_id, event_type, data(row), conn=conn)
            return row

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
        row = await self._write(
            "INSERT INTO stages (id, session_id, stage_index, name, stage_type, parallel_type, expected_agents,"
            " success_policy, referenced_stage_id, status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, 'active')"
            " ON CONFLICT (session_id, stage_index) DO UPDATE SET status = 'active', started_at = now(),"
            " completed_at = NULL, error_message = NULL RETURNING id",
            (
                str(uuid.uuid4()),
                self.session_id,
                stage_index,
                name,
                stage_type,
                parallel_type,
                expected_agents,
                success_policy,
                referenced_stage_id,
            ),
            ev.STAGE_STATUS,
            lambda r: {
                "stage_id": str(r["id"]),
                "stage_index": stage_index,
                "stage_name": name,
                "stage_type": stage_type,
                "parallel_type": parallel_type,
                "referenced_stage_id": referenced_stage_id,
                "status": "started",
            },
        )
        return str(row["id"])

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        await self._write(
            "UPDATE stages SET status = %s, error_message = %s, completed_at = now() WHERE id = %s"
            " RETURNING stage_index, name, stage_type",
            (status, error, stage_id),
            ev.STAGE_STATUS,
            lambda r: {
                "stage_id": stage_id,
                "stage_index": r["stage_index"],
                "stage_name": r["name"],
                "stage_type": r["stage_type"],
                "status": status,
                "error": error,
            },
        )

    async def execution_started(self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str) -> str:
        row = await self._write(
            "INSERT INTO agent_executions (id, session_id, stage_id, agent_name, agent_index, strategy,"
            " llm_provider, model, status) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'active')"
            " ON CONFLICT (stage_id, agent_index) DO UPDATE SET status = 'active', started_at = now(),"
            " completed_at = NULL, error_message = NULL RETURNING id",
            (
                str(uuid.uuid4()),
                self.session_id,
                stage_id,
                agent.display_name,
                agent_index,
                agent.strategy,
                agent.llm_provider,
                model,
            ),
            ev.EXECUTION_STATUS,
            lambda r: {
                "stage_id": stage_id,
                "execution_id": str(r["id"]),
                "agent_name": agent.display_name,
                "agent_index": agent_index,
                "status": "active",
            },
        )
        return str(row["id"])

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        await self._write(
            "UPDATE agent_executions SET status = %s, error_message = %s, completed_at = now() WHERE id = %s"
            " RETURNING stage_id, agent_name, agent_index",
            (status, error, execution_id),
            ev.EXECUTION_STATUS,
            lambda r: {
                "stage_id": str(r["stage_id"]),
                "execution_id": execution_id,
                "agent_name": r["agent_name"],
                "agent_index": r["agent_index"],
                "status": status,
                "error": error,
            },
        )

    async def _timeline_insert(
        self,
        *,
        event_type: str,
        status: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None,
    ) -> str:
        row = await self._write(
            "INSERT INTO timeline_events (id, session_id, stage_id, execution_id, event_type, status, content,"
            " metadata) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, seq",
            (
                str(uuid.uuid4()),
                self.session_id,
                stage_id,
                execution_id,
                event_type,
                status,
                content,
                json.dumps(metadata or {}),
            ),
            ev.TIMELINE_CREATED,
            lambda r: {
                "event_id": str(r["id"]),
                "sequence": r["seq"],
                "stage_id": stage_id,
                "execution_id": execution_id,
                "event_type": event_type,
                "status": status,
                "content": content,
                "metadata": metadata or {},
            },
        )
        return str(row["id"])

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        return await self._timeline_insert(
            event_type=event_type,
            status="streaming",
            content="",
            stage_id=stage_id,
            execution_id=execution_id,
            metadata=metadata,
        )

    async def timeline_delta(self, event_id: str, delta: str) -> None:
        await self._publisher.transient(self.session_id, ev.STREAM_CHUNK, {"event_id": event_id, "delta": delta})

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        await self._write(
            "UPDATE timeline_events SET content = %s, status = %s, metadata = metadata || %s, updated_at = now()"
            " WHERE id = %s RETURNING event_type, stage_id, execution_id, metadata",
            (content, status, json.dumps(metadata or {}), event_id),
            ev.TIMELINE_COMPLETED,
            lambda r: {
                "event_id": event_id,
                "stage_id": None if r["stage_id"] is None else str(r["stage_id"]),
                "execution_id": None if r["execution_id"] is None else str(r["execution_id"]),
                "event_type": r["event_type"],
                "status": status,
                "content": content,
                "metadata": r["metadata"],
            },
        )

    async def timeline_event(
        self,
        *,
        event_type: str,
        content: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        return await self._timeline_insert(
            event_type=event_type,
            status="completed",
            content=content,
            stage_id=stage_id,
            execution_id=execution_id,
            metadata=metadata,
        )

    async def llm_interaction(self, record: LLMInteraction) -> str:
        if self._observer is not None:
            self._observer.llm_interaction(record)
        total = record.input_tokens + record.output_tokens
        row = await self._write(
            "INSERT INTO llm_interactions (id, session_id, stage_id, execution_id, interaction_type, provider, model,"
            " conversation_offset, request_messages, tools, response, thinking, input_tokens, output_tokens,"
            " thinking_tokens, total_tokens, duration_ms, error)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                str(uuid.uuid4()),
                self.session_id,
                record.stage_id,
                record.execution_id,
                record.interaction_type,
                record.provider,
                record.model,
                record.conversation_offset,
                json.dumps(record.request_messages, default=str),
                json.dumps(record.tools),
                None if record.response is None else json.dumps(record.response, default=str),
                record.thinking,
                record.input_tokens,
                record.output_tokens,
                record.thinking_tokens,
                total,
                record.duration_ms,
                record.error,
            ),
            ev.INTERACTION_CREATED,
            lambda r: {
                "interaction_id": str(r["id"]),
                "kind": "llm",
                "interaction_type": record.interaction_type,
                "stage_id": record.stage_id,
                "execution_id": record.execution_id,
            },
        )
        if record.execution_id is not None and total:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "UPDATE agent_executions SET input_tokens = input_tokens + %s, output_tokens = output_tokens + %s,"
                    " thinking_tokens = thinking_tokens + %s, total_tokens = total_tokens + %s WHERE id = %s",
                    (record.input_tokens, record.output_tokens, record.thinking_tokens, total, record.execution_id),
                )
        return str(row["id"])

    async def mcp_interaction(self, record: MCPInteraction) -> str:
        if self._observer is not None:
            self._observer.mcp_interaction(record)
        row = await self._write(
            "INSERT INTO mcp_interactions (id, session_id, stage_id, execution_id, timeline_event_id, interaction_type,"
            " server, tool, arguments, result, is_error, error, available_tools, duration_ms)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            (
                str(uuid.uuid4()),
                self.session_id,
                record.stage_id,
                record.execution_id,
                record.timeline_event_id,
                record.interaction_type,
                record.server,
                record.tool,
                json.dumps(record.arguments, default=str),
                record.result,
                record.is_error,
                record.error,
                None if record.available_tools is None else json.dumps(record.available_tools, default=str),
                record.duration_ms,
            ),
            ev.INTERACTION_CREATED,
            lambda r: {
                "interaction_id": str(r["id"]),
                "kind": "mcp",
                "server": record.server,
                "tool": record.tool,
                "stage_id": record.stage_id,
                "execution_id": record.execution_id,
            },
        )
        return str(row["id"])

    async def close_open_records(self, conn: AsyncConnection[DictRow], status: str) -> None:
        """End everything still open with the session's terminal status (caller holds the lock)."""
        record_status = "completed" if status == "completed" else status
        timeline_status = "failed" if status == "completed" else status
        await conn.execute(
            "UPDATE timeline_events SET status = %s, updated_at = now() WHERE session_id = %s AND status = 'streaming'",
            (timeline_status, self.session_id),
        )
        await conn.execute(
            "UPDATE agent_executions SET status = %s, completed_at = now()"
            " WHERE session_id = %s AND status IN ('pending', 'active')",
            (record_status, self.session_id),
        )
        cur = await conn.execute(
            "UPDATE stages SET status = %s, completed_at = now()"
            " WHERE session_id = %s AND status IN ('pending', 'active')"
            " RETURNING id, stage_index, name, stage_type",
            (record_status, self.session_id),
        )
        for row in await cur.fetchall():
            await self._publisher.publish(
                self.session_id,
                ev.STAGE_STATUS,
                {
                    "stage_id": str(row["id"]),
                    "stage_index": row["stage_index"],
                    "stage_name": row["name"],
                    "stage_type": row["stage_type"],
                    "status": record_status,
                },
                conn=conn,
            )
