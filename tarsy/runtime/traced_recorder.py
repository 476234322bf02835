"""A ``StoreRecorder`` that also turns what it records into OpenTelemetry spans.

The recorder already sees every boundary an operator wants in a trace (stage, agent execution,
model call, tool call) with its ids, so spans come from here rather than from code threaded
through the agent loop. Stage and execution spans open and close with their rows; a model call
becomes a span when its interaction is stored (its start is the end minus its duration); a tool
call spans its timeline event. Parents are found by id, so parallel agents nest correctly.
"""

from __future__ import annotations

import time
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode
from psycopg import AsyncConnection
from psycopg.rows import DictRow

from tarsy.config import ResolvedAgent
from tarsy.contracts import SubAgentOf
from tarsy.events.publisher import EventPublisher
from tarsy.llm.pricing import Pricer
from tarsy.nodes.context import LLMInteraction, MCPInteraction
from tarsy.observability.tracing import Tracing
from tarsy.runtime.recorder import FLUSH_INTERVAL_S, InteractionObserver, StoreRecorder
from tarsy.store.db import Pool

_TOOL_EVENT = "llm_tool_call"


class TracedRecorder(StoreRecorder):
    def __init__(
        self,
        pool: Pool,
        publisher: EventPublisher,
        session_id: str,
        observer: InteractionObserver | None,
        tracing: Tracing,
        *,
        flush_interval: float = FLUSH_INTERVAL_S,
        pricer: Pricer | None = None,
    ) -> None:
        super().__init__(pool, publisher, session_id, observer, flush_interval=flush_interval, pricer=pricer)
        self._tracing = tracing
        self._spans: dict[str, Span] = {}  # stage, execution and tool-call spans by their record id
        self._parents: dict[str, str] = {}  # execution id -> stage id

    def _start(self, name: str, parent_id: str | None, attributes: dict[str, Any], start_ns: int | None = None) -> Span:
        parent = self._spans.get(parent_id or "")
        if parent is None and parent_id in self._parents:
            parent = self._spans.get(self._parents[parent_id or ""])
        context = trace.set_span_in_context(parent) if parent is not None else None  # else: the current span
        attributes = {"tarsy.session_id": self.session_id, **{k: v for k, v in attributes.items() if v is not None}}
        return self._tracing.tracer.start_span(name, context=context, attributes=attributes, start_time=start_ns)

    def _end(self, record_id: str, status: str, error: str | None = None) -> None:
        span = self._spans.pop(record_id, None)
        if span is None:
            return
        span.set_attribute("tarsy.status", status)
        if status in ("failed", "timed_out") or error:
            span.set_status(Status(StatusCode.ERROR, self._tracing.mask(error or status)))
        span.end()

    async def stage_started(self, *, stage_index: int, name: str, stage_type: str, **kwargs: Any) -> str:
        stage_id = await super().stage_started(stage_index=stage_index, name=name, stage_type=stage_type, **kwargs)
        attributes = {"tarsy.stage_id": stage_id, "tarsy.stage": name, "tarsy.stage_index": stage_index}
        self._spans[stage_id] = self._start(f"stage {name}", None, {**attributes, "tarsy.stage_type": stage_type})
        return stage_id

    async def stage_finished(self, stage_id: str, status: str, error: str | None = None) -> None:
        await super().stage_finished(stage_id, status, error)
        self._end(stage_id, status, error)

    async def execution_started(
        self, *, stage_id: str, agent_index: int, agent: ResolvedAgent, model: str, parent: SubAgentOf | None = None
    ) -> str:
        execution_id = await super().execution_started(
            stage_id=stage_id, agent_index=agent_index, agent=agent, model=model, parent=parent
        )
        self._parents[execution_id] = parent.execution_id if parent is not None else stage_id
        self._spans[execution_id] = self._start(
            f"agent {agent.display_name}",
            stage_id,
            {
                "tarsy.execution_id": execution_id,
                "tarsy.agent": agent.display_name,
                "tarsy.strategy": agent.strategy,
                "tarsy.llm_provider": agent.llm_provider,
                "gen_ai.request.model": model,
            },
        )
        return execution_id

    async def execution_finished(self, execution_id: str, status: str, error: str | None = None) -> None:
        await super().execution_finished(execution_id, status, error)
        self._end(execution_id, status, error)

    async def timeline_started(
        self,
        *,
        event_type: str,
        stage_id: str | None,
        execution_id: str | None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        event_id = await super().timeline_started(
            event_type=event_type, stage_id=stage_id, execution_id=execution_id, metadata=metadata
        )
        if event_type == _TOOL_EVENT:
            tool = str((metadata or {}).get("tool", "unknown"))
            arguments = (metadata or {}).get("arguments")
            self._spans[event_id] = self._start(
                f"tool {tool}",
                execution_id or stage_id,
                {
                    "tarsy.tool": tool,
                    "tarsy.mcp_server": tool.split(".", 1)[0],
                    "tarsy.execution_id": execution_id,
                    "tarsy.tool_arguments": self._tracing.content(None if arguments is None else str(arguments)),
                },
            )
        return event_id

    async def timeline_completed(
        self,
        event_id: str,
        content: str,
        *,
        status: str = "completed",
        metadata: dict[str, Any] | None = None,
    ) -> None:
        await super().timeline_completed(event_id, content, status=status, metadata=metadata)
        span = self._spans.get(event_id)
        if span is not None:
            is_error = bool((metadata or {}).get("is_error"))
            result = self._tracing.content(content)
            if result is not None:
                span.set_attribute("tarsy.tool_result", result)
            self._end(event_id, status, "the tool returned an error" if is_error else None)

    async def llm_interaction(self, record: LLMInteraction) -> str:
        interaction_id = await super().llm_interaction(record)
        end_ns = time.time_ns()
        span = self._start(
            f"llm {record.interaction_type}",
            record.execution_id or record.stage_id,
            {
                "tarsy.interaction_id": interaction_id,
                "tarsy.interaction_type": record.interaction_type,
                "tarsy.execution_id": record.execution_id,
                "gen_ai.system": record.provider,
                "gen_ai.request.model": record.model,
                "gen_ai.usage.input_tokens": record.input_tokens,
                "gen_ai.usage.output_tokens": record.output_tokens,
                "tarsy.thinking_tokens": record.thinking_tokens,
                "tarsy.tools_offered": len(record.tools),
                "tarsy.response": self._tracing.content(_response_text(record.response)),
            },
            start_ns=end_ns - record.duration_ms * 1_000_000,
        )
        if record.error:
            span.set_status(Status(StatusCode.ERROR, self._tracing.mask(record.error)))
        span.end(end_time=end_ns)
        return interaction_id

    async def mcp_interaction(self, record: MCPInteraction) -> str:
        interaction_id = await super().mcp_interaction(record)
        span = self._spans.get(record.timeline_event_id or "")
        if span is not None:
            span.set_attribute("tarsy.mcp_interaction_id", interaction_id)
            span.set_attribute("tarsy.tool_duration_ms", record.duration_ms)
        return interaction_id

    async def close_open_records(self, conn: AsyncConnection[DictRow], status: str) -> None:
        await super().close_open_records(conn, status)
        for record_id in list(self._spans):  # a failure or cancel mid-stage leaves spans open
            self._end(record_id, status)


def _response_text(response: dict[str, Any] | None) -> str | None:
    if not response:
        return None
    content = response.get("content")
    return content if isinstance(content, str) else None
